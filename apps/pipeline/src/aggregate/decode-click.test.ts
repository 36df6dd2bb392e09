import { describe, expect, it } from "vitest";
import { clickRecord } from "../../../../test/click-record";
import { decodeClick, decodeClicks } from "./decode-click";

const record = (id: string) =>
  Buffer.from(JSON.stringify(clickRecord(1_700_000_000_000, { event_id: id })));

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
