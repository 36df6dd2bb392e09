import { describe, expect, it } from "vitest";
import { dueDays, latestDueDay, nextRunAt, parseBatchAt } from "./nightly-schedule";

const at = (iso: string) => Date.parse(iso);

describe("nightly schedule", () => {
  it("fires at the configured UTC time, today or tomorrow", () => {
    expect(new Date(nextRunAt(at("2026-01-31T01:59:00Z"), "02:00")).toISOString()).toBe(
      "2026-01-31T02:00:00.000Z",
    );
    expect(new Date(nextRunAt(at("2026-01-31T02:00:00Z"), "02:00")).toISOString()).toBe(
      "2026-02-01T02:00:00.000Z",
    );
    expect(new Date(nextRunAt(at("2026-12-31T23:30:00Z"), "00:15")).toISOString()).toBe(
      "2027-01-01T00:15:00.000Z",
    );
  });

  it("bills yesterday once the batch time has passed, else the day before", () => {
    expect(latestDueDay(at("2026-03-01T02:00:00Z"), "02:00")).toBe("2026-02-28");
    expect(latestDueDay(at("2026-03-01T01:59:59Z"), "02:00")).toBe("2026-02-27");
  });

  it("catches up missed nights after the last succeeded day, and nothing when up to date", () => {
    const now = at("2026-01-31T08:00:00Z");
    expect(dueDays(now, "02:00", ["2026-01-30"])).toEqual([]);
    expect(dueDays(now, "02:00", ["2026-01-29"])).toEqual(["2026-01-30"]);
    expect(dueDays(now, "02:00", ["2026-01-26", "2026-01-28"])).toEqual([
      "2026-01-29",
      "2026-01-30",
    ]);
  });

  it("bills only the latest day on a fresh install or after a long outage", () => {
    const now = at("2026-01-31T08:00:00Z");
    expect(dueDays(now, "02:00", [])).toEqual(["2026-01-30"]);
    expect(dueDays(now, "02:00", ["2026-01-01"])).toEqual(["2026-01-30"]);
  });

  it("rejects malformed times", () => {
    expect(() => parseBatchAt("2:00")).toThrow(/HH:MM/);
    expect(() => parseBatchAt("24:00")).toThrow(/HH:MM/);
  });
});
