import { describe, expect, it } from "vitest";
import { fraudRate, isWindowOpen, parseCounterFields } from "./counter-values";

describe("parseCounterFields", () => {
  it("reads HMGET replies in COUNTER_FIELDS order, absent fields as 0", () => {
    expect(parseCounterFields(["5", "4", "2500000", "1", "3"])).toEqual({
      clicks: 5,
      uniqueUsers: 4,
      costMicros: 2_500_000,
      suspicious: 1,
      fraud: 3,
    });
    expect(parseCounterFields([null, null, null, null, null])).toEqual({
      clicks: 0,
      uniqueUsers: 0,
      costMicros: 0,
      suspicious: 0,
      fraud: 0,
    });
  });
});

describe("isWindowOpen", () => {
  const w = Date.UTC(2026, 11, 2, 10, 0);
  it("is open until the watermark reaches the window's end", () => {
    expect(isWindowOpen(w, w + 5 * 60_000 - 1)).toBe(true);
    expect(isWindowOpen(w, w + 5 * 60_000)).toBe(false);
    expect(isWindowOpen(w, null)).toBe(true);
  });
});

describe("fraudRate", () => {
  it("is dropped clicks over all clicks seen", () => {
    expect(fraudRate({ clicks: 75, fraud: 25 })).toBe(0.25);
    expect(fraudRate({ clicks: 0, fraud: 0 })).toBe(0);
  });
});
