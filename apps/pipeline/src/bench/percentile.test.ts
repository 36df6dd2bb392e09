import { describe, expect, it } from "vitest";
import { latencySummary, percentile } from "./percentile";

describe("percentile", () => {
  it("is the nearest rank: the smallest value with at least p of the samples at or below it", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 0.999)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it("summarises unsorted samples without reordering them", () => {
    const samples = [5, 1, 4, 2, 3];
    expect(latencySummary(samples)).toEqual({ count: 5, p50: 3, p99: 5, p999: 5, max: 5 });
    expect(samples).toEqual([5, 1, 4, 2, 3]);
  });
});
