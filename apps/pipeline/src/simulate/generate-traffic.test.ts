import { ClickEventInput } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { deviceFromUserAgent } from "../ingest/device";
import { BROWSER_USER_AGENTS, FLOOD_IP, generateTraffic } from "./generate-traffic";
import { GroundTruth } from "./ground-truth";

const campaigns = Array.from({ length: 10 }, (_, i) => ({
  id: `c${i}`,
  cpcMicros: 1000 * (i + 1),
}));
const options = {
  startMs: Date.UTC(2026, 0, 15, 12),
  durationSec: 600,
  ratePerSec: 20,
  campaigns,
  partnerIds: ["p1", "p2"],
};

describe("generateTraffic", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = [...generateTraffic(7, options)];
    const b = [...generateTraffic(7, options)];
    const c = [...generateTraffic(8, options)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(600 * 20);
  });

  it("produces valid events at a fixed rate, in send order, with every pattern", () => {
    const events = [...generateTraffic(1, options)];
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.sendAtMs).toBeGreaterThanOrEqual(events[i - 1]!.sendAtMs);
    for (const e of events) expect(ClickEventInput.safeParse(e.body).success).toBe(true);
    const patterns = new Set(events.map((e) => e.pattern));
    expect([...patterns].sort()).toEqual([
      "crawler",
      "flood-ip",
      "late",
      "normal",
      "out-of-order",
      "retry-duplicate",
    ]);
    // Zipf: the first campaign is the most popular.
    const counts = campaigns.map((c) => events.filter((e) => e.body.campaign_id === c.id).length);
    expect(counts[0]).toBe(Math.max(...counts));
    // The flooding IP sends more than 100 clicks a minute.
    const flood = events.filter((e) => e.body.ip === FLOOD_IP);
    expect(flood.length / 10).toBeGreaterThan(100);
    // Retries resend an earlier event id unchanged.
    const byId = new Map(
      events.filter((e) => e.pattern !== "retry-duplicate").map((e) => [e.body.event_id, e]),
    );
    for (const r of events.filter((e) => e.pattern === "retry-duplicate"))
      expect(r.body).toEqual(byId.get(r.body.event_id)?.body);
  });

  it("labels user agents with the device the ingest derives", () => {
    for (const { ua, device } of BROWSER_USER_AGENTS) expect(deviceFromUserAgent(ua)).toBe(device);
  });
});

describe("GroundTruth", () => {
  it("counts each event id once per partner, by window and dimension, with cost and patterns", () => {
    const truth = new GroundTruth(1, new Map(campaigns.map((c) => [c.id, c.cpcMicros])));
    const events = [...generateTraffic(3, { ...options, durationSec: 60 })];
    for (const e of events) truth.add(e);
    const json = truth.toJSON();
    const retries = events.filter((e) => e.pattern === "retry-duplicate").length;
    expect(json.totals.sent).toBe(events.length);
    expect(json.totals.retries).toBe(retries);
    expect(json.totals.distinct_events).toBe(events.length - retries);
    let all = 0;
    for (const [campaign, windows] of Object.entries(json.windows)) {
      for (const dims of Object.values(windows)) {
        const cell = dims.all!;
        all += cell.clicks;
        expect(cell.cost_micros).toBe(
          cell.clicks * campaigns.find((c) => c.id === campaign)!.cpcMicros,
        );
        expect(Object.values(cell.by_pattern).reduce((a, b) => a + (b ?? 0), 0)).toBe(cell.clicks);
        expect(cell.unique_users).toBeLessThanOrEqual(cell.clicks);
        const byDevice = Object.entries(dims)
          .filter(([d]) => d.startsWith("device:"))
          .reduce((a, [, c]) => a + c.clicks, 0);
        expect(byDevice).toBe(cell.clicks);
      }
    }
    expect(all).toBe(json.totals.distinct_events);
  });
});
