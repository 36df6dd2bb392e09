import { describe, expect, it } from "vitest";
import { validateBatch } from "./click-batch";

const RECEIVED_AT = Date.UTC(2026, 11, 2, 12, 0, 0);
const DAY = 24 * 3600 * 1000;

const event = (id: string, ts: number | string) => ({
  value: {
    event_id: id,
    campaign_id: "cmp-1",
    ad_id: "ad-1",
    user_id: "u-1",
    ip: "203.0.113.9",
    user_agent: "Mozilla/5.0",
    ts,
  },
});

describe("validateBatch: ts bounds of C1 (7 days before to 5 minutes after receive)", () => {
  it("rejects alone, naming ts, an event older than 7 days or more than 5 minutes ahead", () => {
    const batch = validateBatch(
      [
        event("ok-now", RECEIVED_AT),
        event("too-old", RECEIVED_AT - 7 * DAY - 1),
        event("oldest-ok", RECEIVED_AT - 7 * DAY),
        event("too-new", RECEIVED_AT + 5 * 60_000 + 1),
        event("newest-ok", new Date(RECEIVED_AT + 5 * 60_000).toISOString()),
      ],
      RECEIVED_AT,
    );
    expect(batch.valid.map((v) => v.event.event_id)).toEqual(["ok-now", "oldest-ok", "newest-ok"]);
    expect(batch.rejected).toEqual([
      { index: 1, error: "ts is more than 7 days before the receive time" },
      { index: 3, error: "ts is more than 5 minutes after the receive time" },
    ]);
  });
});
