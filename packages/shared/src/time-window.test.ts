import { describe, expect, it } from "vitest";
import {
  dayKey,
  isoDay,
  parseIsoDay,
  parseWindowKey,
  windowKey,
  windowStartMs,
} from "./time-window";

describe("window maths", () => {
  it("puts a click in the 5-minute window of its event time", () => {
    const ts = Date.UTC(2026, 10, 27, 23, 59, 59, 999);
    expect(windowKey(windowStartMs(ts))).toBe("202611272355");
    expect(windowKey(windowStartMs(Date.UTC(2026, 10, 27, 0, 5)))).toBe("202611270005");
    expect(dayKey(ts)).toBe("20261127");
    expect(isoDay(ts)).toBe("2026-11-27");
  });

  it("handles times before the epoch without drifting a window", () => {
    expect(windowStartMs(-1)).toBe(-300_000);
  });

  it("round-trips window keys", () => {
    const start = Date.UTC(2026, 0, 1, 13, 40);
    expect(parseWindowKey(windowKey(start))).toBe(start);
    expect(parseWindowKey("20260101")).toBe(Date.UTC(2026, 0, 1));
    expect(() => parseWindowKey("2026-01-01")).toThrow(/YYYYMMDDHHmm/);
  });

  it("validates date arguments", () => {
    expect(parseIsoDay("2026-02-28")).toBe(Date.UTC(2026, 1, 28));
    expect(() => parseIsoDay("2026-02-30")).toThrow(/does not exist/);
    expect(() => parseIsoDay("20260228")).toThrow(/YYYY-MM-DD/);
  });
});
