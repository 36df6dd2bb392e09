import { describe, expect, it } from "vitest";
import type { Row } from "./figures";
import { formatNumber, renderNotes, renderTable } from "./table";

describe("formatNumber", () => {
  it("keeps three significant digits below 1,000 and separators above", () => {
    expect(formatNumber(0.3712)).toBe("0.371");
    expect(formatNumber(449.6)).toBe("450");
    expect(formatNumber(28_512.4)).toBe("28,512");
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(Number.NaN)).toBe("—");
  });
});

describe("renderTable", () => {
  it("prints one aligned line per row with its ceiling, ratio and verdict", () => {
    const rows: Row[] = [
      {
        id: "a",
        label: "ingest",
        value: 28_500,
        unit: "events/CPU-s",
        ceiling: { name: "raw kafkajs producer", value: 77_600 },
        ratio: 28_500 / 77_600,
        target: "≥ 0.6 × ceiling",
        pass: false,
      },
      {
        id: "b",
        label: "p99",
        value: 12,
        unit: "ms",
        ceiling: null,
        ratio: null,
        target: "< 50 ms",
        pass: true,
      },
      {
        id: "c",
        label: "peer",
        value: null,
        unit: "",
        ceiling: null,
        ratio: null,
        target: "—",
        pass: null,
      },
    ];
    const lines = renderTable(rows).split("\n");
    expect(lines).toHaveLength(5);
    const bars = (l: string) => [...l].flatMap((ch, i) => (ch === "|" ? [i] : []));
    expect(new Set(lines.map((l) => bars(l).join(","))).size).toBe(1);
    expect(lines[2]).toContain("raw kafkajs producer 77,600");
    expect(lines[2]).toContain("0.37");
    expect(lines[2]).toMatch(/MISS$/);
    expect(lines[3]).toMatch(/pass$/);
    expect(lines[4]).toMatch(/—$/);
  });
});

describe("renderNotes", () => {
  it("lists the notes of the rows that have one", () => {
    const row: Row = {
      id: "a",
      label: "p99",
      value: 1,
      unit: "ms",
      ceiling: null,
      ratio: null,
      target: "—",
      pass: null,
    };
    expect(renderNotes([row, { ...row, label: "p99 at 90 %", note: "9,000 events/s" }])).toEqual([
      "  p99 at 90 %: 9,000 events/s",
    ]);
  });
});
