import { describe, expect, it } from "vitest";
import { bump, compareCounters } from "./compare";

const m = (o: Record<string, number>) => new Map(Object.entries(o));

describe("compareCounters", () => {
  it("finds nothing lost or duplicated when every cell matches", () => {
    const r = compareCounters(m({ a: 3, b: 1 }), m({}), m({ a: 3, b: 1 }));
    expect(r).toMatchObject({ cells: 2, expected: 4, counted: 4, lost: 0, duplicated: 0 });
    expect(r.mismatches).toEqual([]);
  });

  it("counts a loss in one cell and a duplicate in another, which totals would hide", () => {
    const r = compareCounters(m({ a: 3, b: 1 }), m({}), m({ a: 2, b: 2 }));
    expect(r).toMatchObject({ expected: 4, counted: 4, lost: 1, duplicated: 1 });
    expect(r.mismatches).toHaveLength(2);
  });

  it("explains extra counts by the cell's unanswered events, and no further", () => {
    const r = compareCounters(m({ a: 3 }), m({ a: 1, b: 1 }), m({ a: 5, b: 1 }));
    expect(r).toMatchObject({ lost: 0, countedUnacknowledged: 2, duplicated: 1 });
  });

  it("treats a counted cell nobody expected as duplicates", () => {
    expect(compareCounters(m({}), m({}), m({ z: 2 }))).toMatchObject({ cells: 1, duplicated: 2 });
  });

  it("bump adds one", () => {
    const map = new Map<string, number>();
    bump(map, "a");
    bump(map, "a");
    expect(map.get("a")).toBe(2);
  });
});
