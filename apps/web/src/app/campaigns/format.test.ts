import { describe, expect, it } from "vitest";
import { formatLocalDateTime, formatLocalTime, formatRate, formatSpend, formatUtc } from "./format";

describe("campaign formatting", () => {
  const t = Date.UTC(2026, 11, 2, 10, 5);
  it("shows UTC exactly and local times in the given zone", () => {
    expect(formatUtc(t)).toBe("2026-12-02 10:05 UTC");
    expect(formatLocalTime(t, "Europe/Berlin")).toBe("11:05");
    expect(formatLocalTime(t, "America/New_York")).toBe("05:05");
    expect(formatLocalDateTime(t, "Asia/Tokyo")).toBe("2 Dec, 19:05 GMT+9");
  });
  it("formats spend from micros and rates as percentages", () => {
    expect(formatSpend(15_000_000)).toBe("$15.00");
    expect(formatSpend(1_234_567_890)).toBe("$1,234.57");
    expect(formatRate(0.25)).toBe("25.0%");
    expect(formatRate(0.0123)).toBe("1.23%");
    expect(formatRate(0)).toBe("0.0%");
  });
});
