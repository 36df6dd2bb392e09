import { describe, expect, it } from "vitest";
import type { SimEvent } from "../simulate/generate-traffic";
import { expectedOutcome, fiveMinuteWindow, utcDay } from "./expected";

const at = Date.UTC(2026, 11, 2, 14, 7, 30);
const event = (
  id: string,
  over: Partial<SimEvent> = {},
  body: Partial<SimEvent["body"]> = {},
): SimEvent => ({
  sendAtMs: at,
  partnerId: "p1",
  pattern: "normal",
  device: "mobile",
  ...over,
  body: {
    event_id: id,
    campaign_id: "c1",
    ad_id: "ad",
    user_id: "u1",
    ip: "81.2.69.160",
    user_agent: "Mozilla/5.0",
    ts: at,
    country: "GB",
    publisher_id: "pub-1",
    ...body,
  },
});

describe("expectedOutcome", () => {
  it("spells C3 windows and UTC days", () => {
    expect(fiveMinuteWindow(at)).toBe("202612021405");
    expect(fiveMinuteWindow(Date.UTC(2026, 0, 1, 0, 4, 59, 999))).toBe("202601010000");
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59, 59, 999))).toBe("2026-01-01");
  });

  it("counts a retried event once, a crawler as fraud and a queued click as suspicious", () => {
    const clicks = [
      event("a"),
      event("a", { pattern: "retry-duplicate" }),
      event("b", {}, { user_id: "u2" }),
      event("a", { partnerId: "p2" }),
      event("bot", { pattern: "crawler", device: "other" }, { user_id: "bot-1" }),
    ];
    const out = expectedOutcome(clicks, new Map([["c1", 1000]]), new Set(["p1/b", "p1/bot"]));
    expect([...out.events.keys()]).toEqual(["p1/a", "p1/b", "p2/a", "p1/bot"]);
    expect([...out.fraud]).toEqual(["p1/bot"]);
    expect(out.days).toEqual(["2026-12-02"]);
    expect(out.counters.get("counter:{c1}:202612021405:all")).toEqual({
      clicks: 3,
      cost_micros: 3000,
      suspicious: 1,
      fraud: 1,
      unique_users: 2,
    });
    expect(out.counters.get("counter:{c1}:20261202:partner:p2")).toEqual({
      clicks: 1,
      cost_micros: 1000,
      suspicious: 0,
      fraud: 0,
      unique_users: 1,
    });
    expect(out.counters.get("counter:{c1}:202612021405:device:other")).toEqual({
      clicks: 0,
      cost_micros: 0,
      suspicious: 0,
      fraud: 1,
      unique_users: 0,
    });
    expect(out.billing.get("2026-12-02|c1|country:GB")).toEqual({
      clicks: 3,
      unique_users: 2,
      cost_micros: 3000,
      fraud_clicks: 1,
      suspicious_clicks: 1,
    });
    // 4 dimensions x (window + day) for p1's mobile clicks, plus partner:p2 and device:other keys.
    expect(out.counters.size).toBe(12);
  });

  it("judges a retry acknowledged before its original by the original's pattern", () => {
    const crawler = event(
      "bot",
      { pattern: "crawler", device: "other" },
      { user_agent: "Googlebot/2.1" },
    );
    const retry = { ...crawler, pattern: "retry-duplicate" as const };
    const out = expectedOutcome([retry, crawler], new Map([["c1", 1000]]), new Set());
    expect([...out.fraud]).toEqual(["p1/bot"]);
    expect(out.counters.get("counter:{c1}:202612021405:all")).toMatchObject({
      clicks: 0,
      fraud: 1,
    });
  });
});
