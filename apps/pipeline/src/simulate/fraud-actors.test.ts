import { ClickEventInput, DEFAULT_DATA_CENTRES, isDeclaredBot } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import {
  generateActorEvents,
  generateLabelledTraffic,
  isFraudPattern,
  LABELLED_FRAUD_ACTORS,
} from "./fraud-actors";
import { generateTraffic } from "./generate-traffic";
import { GroundTruth } from "./ground-truth";

const campaigns = Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, cpcMicros: 1000 }));
const options = {
  startMs: Date.UTC(2026, 0, 15, 12),
  durationSec: 3600,
  ratePerSec: 5,
  campaigns,
  partnerIds: ["p1", "p2"],
};

describe("labelled simulated traffic", () => {
  const events = [...generateLabelledTraffic(3, options)];

  it("weaves every actor into the ordinary feed, in send order, as valid events", () => {
    const base = [...generateTraffic(3, options)];
    expect(events.length).toBeGreaterThan(base.length);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.sendAtMs).toBeGreaterThanOrEqual(events[i - 1]!.sendAtMs);
    for (const e of events) expect(ClickEventInput.safeParse(e.body).success).toBe(true);
    const patterns = new Set(events.map((e) => e.pattern));
    for (const p of ["click-farm", "click-spam", "ua-rotator", "slow-bot", "dc-bot", "heavy-human"])
      expect(patterns).toContain(p);
    expect([...generateLabelledTraffic(3, options)]).toEqual(events);
  });

  it("gives each actor its shape", () => {
    const of = (p: string) => events.filter((e) => e.pattern === p).map((e) => e.body);
    const farm = of("click-farm");
    const farmIps = new Set(farm.map((b) => b.ip));
    expect(farmIps.size).toBe(LABELLED_FRAUD_ACTORS.clickFarms);
    expect(new Set(farm.map((b) => b.user_id)).size).toBeGreaterThanOrEqual(15 * farmIps.size);
    const rotators = of("ua-rotator");
    expect(new Set(rotators.map((b) => b.user_agent)).size).toBeGreaterThan(8);
    expect(new Set(rotators.map((b) => b.ip)).size).toBe(LABELLED_FRAUD_ACTORS.uaRotators);
    for (const b of of("dc-bot")) expect(DEFAULT_DATA_CENTRES.has(b.ip)).toBe(true);
    for (const b of of("heavy-human")) {
      expect(DEFAULT_DATA_CENTRES.has(b.ip)).toBe(false);
      expect(isDeclaredBot(b.user_agent)).toBe(false);
    }
    // A slow bot's gaps are regular: all within ±3 % of their mean.
    const slow = of("slow-bot").filter((b) => b.user_id === of("slow-bot")[0]!.user_id);
    const gaps = slow.slice(1).map((b, i) => b.ts - slow[i]!.ts);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    for (const g of gaps) expect(Math.abs(g - mean) / mean).toBeLessThan(0.04);
    // A burst: 10+ clicks of one user within seconds.
    const spam = of("click-spam");
    const firstBurst = spam.filter((b) => b.user_id === spam[0]!.user_id);
    expect(firstBurst.length).toBeGreaterThanOrEqual(10);
    expect(firstBurst.at(-1)!.ts - firstBurst[0]!.ts).toBeLessThan(20_000);
    // Heavy humans click a lot.
    const heavy = of("heavy-human");
    expect(heavy.length / LABELLED_FRAUD_ACTORS.heavyHumans).toBeGreaterThan(20);
  });

  it("records every click's true label in the ground truth, never in the sent event", () => {
    const truth = new GroundTruth(3, new Map(campaigns.map((c) => [c.id, c.cpcMicros])));
    for (const e of events) truth.add(e);
    const json = truth.toJSON();
    const byId = new Map<string, string>();
    for (const e of events)
      if (!byId.has(e.body.event_id)) byId.set(e.body.event_id, e.resends ?? e.pattern);
    let fraud = 0;
    for (const [id, , , , pattern, label] of json.events) {
      expect(label).toBe(isFraudPattern(pattern) ? 1 : 0);
      expect(pattern).toBe(byId.get(id));
      fraud += label;
    }
    expect(json.totals.fraud).toBe(fraud);
    expect(fraud).toBeGreaterThan(1000);
    expect(isFraudPattern("heavy-human")).toBe(false);
    expect(isFraudPattern("normal")).toBe(false);
    for (const e of events) expect(Object.keys(e.body)).not.toContain("label");
  });

  it("refuses actors on an endless run", () => {
    expect(() =>
      generateActorEvents(1, { ...options, durationSec: 0, actors: LABELLED_FRAUD_ACTORS }),
    ).toThrow("durationSec > 0");
  });
});
