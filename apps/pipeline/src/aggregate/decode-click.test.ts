import { describe, expect, it } from "vitest";
import { decodeClick, decodeClicks } from "./decode-click";

const record = (id: string) =>
  Buffer.from(
    JSON.stringify({
      event_id: id,
      partner_id: "p1",
      campaign_id: "c1",
      advertiser_id: "a",
      ad_id: "ad",
      user_id: "u1",
      ip: "198.51.100.1",
      user_agent: "Mozilla/5.0",
      ts: 1_700_000_000_000,
      received_at: 1_700_000_000_000,
      country: "US",
      device: "mobile",
      publisher_id: null,
      referrer: null,
      cost_micros: 100,
    }),
  );

describe("decodeClicks", () => {
  it("decodes a batch with one parse, the same as one parse per message", () => {
    const values = [record("a"), record("b"), record("c")];
    expect(decodeClicks(values)).toEqual(values.map(decodeClick));
    expect(decodeClicks(values).map((c) => c?.event_id)).toEqual(["a", "b", "c"]);
  });

  it("falls back per message when a value is not JSON, empty, or more than one value", () => {
    for (const bad of [Buffer.from("{nope"), Buffer.alloc(0), Buffer.from('1,{"x":1}'), null]) {
      const out = decodeClicks([record("a"), bad, record("c")]);
      expect(out.map((c) => c?.event_id ?? null)).toEqual(["a", null, "c"]);
    }
  });

  it("rejects event ids outside the C1 alphabet (the flush script packs ids with , and ;)", () => {
    expect(decodeClicks([record("a,b")])).toEqual([null]);
  });
});
