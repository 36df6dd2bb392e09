import { describe, expect, it } from "vitest";
import { type Figure, parseFigures, peerFigure } from "./figures";
import { judge, type Target } from "./targets";

const targets: Target[] = [
  { id: "a.rate", label: "rate", bound: { of: "ratio", op: ">=", value: 0.6 } },
  { id: "a.p99", label: "p99", bound: { of: "value", op: "<", value: 50 } },
  { id: "b.cpu", label: "cpu", bound: { of: "ratio", op: "<=", value: 1.3 } },
  { id: "peer", label: "peer", bound: { of: "ratio", op: ">=", value: 1 }, optional: true },
];

describe("judge", () => {
  it("computes the ratio to the same-run ceiling and judges it against the bound", () => {
    const figures: Figure[] = [
      { id: "a.rate", value: 30, unit: "events/CPU-s", ceiling: { name: "raw", value: 60 } },
      { id: "a.p99", value: 50, unit: "ms" },
      { id: "b.cpu", value: 13, unit: "CPU s", ceiling: { name: "least", value: 10 } },
    ];
    const rows = judge(figures, targets);
    expect(rows.map((r) => [r.id, r.ratio, r.pass])).toEqual([
      ["a.rate", 0.5, false],
      ["a.p99", null, false], // 50 is not < 50
      ["b.cpu", 1.3, true], // ≤ holds at the bound
    ]);
    expect(rows[0]!.target).toBe("≥ 0.6 × ceiling");
    expect(rows[1]!.target).toBe("< 50 ms");
  });

  it("keeps a row without a verdict for a target nobody measured, and leaves out an optional one", () => {
    const rows = judge([{ id: "a.p99", value: 10, unit: "ms" }], targets);
    expect(rows.map((r) => [r.id, r.value, r.pass])).toEqual([
      ["a.rate", null, null],
      ["a.p99", 10, true],
      ["b.cpu", null, null],
    ]);
  });

  it("shows the optional peer when the run asked for it, and unknown figures at the end", () => {
    const rows = judge(
      [peerFigure("flink", 120_000, 60_000), { id: "extra", value: 1, unit: "x" }],
      targets,
      new Set(["aggregate.peer.flink", "peer"]),
    );
    expect(rows.find((r) => r.id === "peer")?.pass).toBeNull();
    expect(rows.at(-1)).toMatchObject({ id: "extra", pass: null, target: "—" });
    expect(rows.find((r) => r.id === "aggregate.peer.flink")?.ratio).toBe(2);
  });

  it("judges a ratio with a NaN ceiling as unmeasured, not as a miss", () => {
    const rows = judge(
      [{ id: "a.rate", value: 1, unit: "x", ceiling: { name: "raw", value: Number.NaN } }],
      targets.slice(0, 1),
    );
    expect(rows[0]!.pass).toBeNull();
  });

  it("shows a figure whose target has no bound, with no verdict", () => {
    const rows = judge(
      [{ id: "lag", value: 12, unit: "messages" }],
      [{ id: "lag", label: "consumer lag" }],
    );
    expect(rows).toEqual([
      expect.objectContaining({ label: "consumer lag", value: 12, target: "—", pass: null }),
    ]);
  });
});

describe("parseFigures", () => {
  it("reads one figure per line and names a bad line", () => {
    expect(parseFigures('{"id":"a","value":1,"unit":"ms"}\n\n')).toHaveLength(1);
    expect(() => parseFigures('{"id":"a","value":1,"unit":"ms"}\n{"id":"b"}\n')).toThrow(
      /figure line 2/,
    );
  });
});
