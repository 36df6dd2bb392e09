import { describe, expect, it } from "vitest";
import { compareExactlyOnce, describeExactlyOnce, eventIdentity } from "./exactly-once";

describe("compareExactlyOnce", () => {
  it("passes only when every acknowledged event is held exactly once", () => {
    const r = compareExactlyOnce(["p/a", "p/b", "q/a"], ["q/a", "p/a", "p/b"]);
    expect(r).toEqual({ expected: 3, found: 3, lost: [], duplicated: [], unexpected: [] });
  });

  it("catches one duplicate and one loss that leave the count unchanged", () => {
    const r = compareExactlyOnce(["p/a", "p/b", "p/c"], ["p/a", "p/a", "p/b"]);
    expect(r.found).toBe(3);
    expect(r.expected).toBe(3);
    expect(r.lost).toEqual(["p/c"]);
    expect(r.duplicated).toEqual(["p/a"]);
    expect(r.unexpected).toEqual([]);
  });

  it("lists each extra copy and events nobody acknowledged", () => {
    const r = compareExactlyOnce(["p/a"], ["p/a", "p/a", "p/a", "p/x"]);
    expect(r.duplicated).toEqual(["p/a", "p/a"]);
    expect(r.unexpected).toEqual(["p/x"]);
    expect(r.lost).toEqual([]);
  });

  it("keeps two partners' equal event ids apart (C1)", () => {
    expect(eventIdentity("p1", "e")).not.toBe(eventIdentity("p2", "e"));
    const r = compareExactlyOnce(
      [eventIdentity("p1", "e"), eventIdentity("p2", "e")],
      [eventIdentity("p1", "e"), eventIdentity("p1", "e")],
    );
    expect(r.lost).toEqual(["p2/e"]);
    expect(r.duplicated).toEqual(["p1/e"]);
  });

  it("prints the counts", () => {
    const r = compareExactlyOnce(["p/a", "p/b"], ["p/a", "p/a"]);
    expect(describeExactlyOnce("lake", r)).toBe(
      "lake: lost = 1 [p/b], duplicated = 1 [p/a], unexpected = 0 (2 held, 2 acknowledged)",
    );
  });
});
