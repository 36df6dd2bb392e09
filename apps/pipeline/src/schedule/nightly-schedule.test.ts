import { describe, expect, it } from "vitest";
import {
  decideDay,
  dueDays,
  latestDueDay,
  nextRunAt,
  oldestOpenDay,
  parseBatchAt,
  retryDelayMs,
} from "./nightly-schedule";

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

  it("looks at every open day (each stays open 7 days after it ends) up to the latest due one", () => {
    const now = at("2026-01-31T08:00:00Z");
    expect(oldestOpenDay(now)).toBe("2026-01-24");
    const open = [
      "2026-01-24",
      "2026-01-25",
      "2026-01-26",
      "2026-01-27",
      "2026-01-28",
      "2026-01-29",
      "2026-01-30",
    ];
    // A fresh install, or the last billed day still open: the open days alone.
    expect(dueDays(now, "02:00", null)).toEqual(open);
    // Before today's batch time yesterday is not due yet.
    expect(dueDays(at("2026-01-31T01:00:00Z"), "02:00", null)).toEqual(open.slice(0, 6));
  });

  it("skips nothing after an outage longer than a week: every day since the last billed one", () => {
    const now = at("2026-01-31T08:00:00Z");
    expect(dueDays(now, "02:00", "2026-01-20")).toEqual([
      "2026-01-21",
      "2026-01-22",
      "2026-01-23",
      "2026-01-24",
      "2026-01-25",
      "2026-01-26",
      "2026-01-27",
      "2026-01-28",
      "2026-01-29",
      "2026-01-30",
    ]);
  });

  it("bills a new day, re-bills one whose lake files changed, and retries a failing one after its backoff", () => {
    const now = at("2026-01-31T08:00:00Z");
    const billed = { day: "2026-01-30", billedFingerprint: "f1", failuresSinceSuccess: 0 };
    expect(decideDay(undefined, "f1", null, now, 60_000)).toBe("bill");
    expect(decideDay({ ...billed, billedFingerprint: null }, "f1", null, now, 60_000)).toBe("bill");
    expect(decideDay(billed, "f1", null, now, 60_000)).toBe("done");
    expect(decideDay(billed, "f2", null, now, 60_000)).toBe("rebill");
    const failing = { ...billed, failuresSinceSuccess: 3 };
    // Not seen failing by this process (a restart): at once; else after 1, 2, 4 … minutes.
    expect(decideDay(failing, "f1", null, now, 60_000)).toBe("retry");
    expect(decideDay(failing, "f1", now - 239_999, now, 60_000)).toBe("backoff");
    expect(decideDay(failing, "f1", now - 240_000, now, 60_000)).toBe("retry");
    expect(retryDelayMs(1, 60_000)).toBe(60_000);
    expect(retryDelayMs(3, 60_000)).toBe(240_000);
    expect(retryDelayMs(30, 60_000)).toBe(6 * 3_600_000);
  });

  it("rejects malformed times", () => {
    expect(() => parseBatchAt("2:00")).toThrow(/HH:MM/);
    expect(() => parseBatchAt("24:00")).toThrow(/HH:MM/);
  });
});
