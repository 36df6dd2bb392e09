import { describe, expect, it } from "vitest";
import { isoDaysBetween, mergeHistory } from "./daily-history";

describe("isoDaysBetween", () => {
  it("lists the days inclusive, across a month end", () => {
    expect(isoDaysBetween("2026-11-29", "2026-12-02")).toEqual([
      "2026-11-29",
      "2026-11-30",
      "2026-12-01",
      "2026-12-02",
    ]);
    expect(isoDaysBetween("2026-12-02", "2026-12-01")).toEqual([]);
  });
});

describe("mergeHistory", () => {
  it("takes billed days from billing and the others from the live totals", () => {
    const rows = mergeHistory(
      ["2026-11-30", "2026-12-01", "2026-12-02"],
      [{ day: "2026-11-30", clicks: 100, uniqueUsers: 80, costMicros: 50_000_000, fraudClicks: 4 }],
      [
        // A live total of a billed day is ignored: the bill is the truth.
        {
          dayStartMs: Date.UTC(2026, 10, 30),
          clicks: 99,
          uniqueUsers: 79,
          costMicros: 1,
          suspicious: 0,
          fraud: 0,
        },
        {
          dayStartMs: Date.UTC(2026, 11, 2),
          clicks: 7,
          uniqueUsers: 6,
          costMicros: 3_500_000,
          suspicious: 1,
          fraud: 2,
        },
      ],
    );
    expect(rows).toEqual([
      {
        day: "2026-11-30",
        source: "billed",
        clicks: 100,
        uniqueUsers: 80,
        costMicros: 50_000_000,
        fraud: 4,
      },
      { day: "2026-12-01", source: "live", clicks: 0, uniqueUsers: 0, costMicros: 0, fraud: 0 },
      {
        day: "2026-12-02",
        source: "live",
        clicks: 7,
        uniqueUsers: 6,
        costMicros: 3_500_000,
        fraud: 2,
      },
    ]);
  });
});
