import { describe, expect, it } from "vitest";
import { clickMismatches, parsePeerOutput, summarise } from "./flink-peer";

const output = [
  "MARK main 400000000 1000000000",
  "SLF4J: some warning",
  "MARK submit 2500000000 3000000000",
  "MARK first 6000000000 5000000000",
  "WINDOW bench-x-c0 1764762000000 3 2",
  "2> WINDOW bench-x-c1 1764762000000 5 5",
  "WINDOW bench-x-c0 1764762300000 4 4",
  "MARK end 8000000000 9000000000",
  "",
].join("\n");

describe("the Flink peer's output", () => {
  it("reads the marks and one count per window, ignoring other lines and subtask prefixes", () => {
    const p = parsePeerOutput(output);
    expect(p.marks.first).toEqual({ cpuNanos: 6e9, wallNanos: 5e9 });
    expect(p.windows).toEqual([
      { campaignId: "bench-x-c0", windowStartMs: 1764762000000, clicks: 3, users: 2 },
      { campaignId: "bench-x-c1", windowStartMs: 1764762000000, clicks: 5, users: 5 },
      { campaignId: "bench-x-c0", windowStartMs: 1764762300000, clicks: 4, users: 4 },
    ]);
  });

  it("measures CPU from the first record to the end, and start-up separately", () => {
    const run = summarise(parsePeerOutput(output));
    expect(run.events).toBe(12);
    expect(run.cpuSeconds).toBeCloseTo(2);
    expect(run.wallSeconds).toBeCloseTo(4);
    expect(run.startupCpuSeconds).toBeCloseTo(6);
    expect(run.totalCpuSeconds).toBeCloseTo(8);
  });

  it("refuses output without every mark (a job that died half-way)", () => {
    expect(() => parsePeerOutput(output.replace(/MARK end.*\n/, ""))).toThrow(/"end" mark/);
  });
});

describe("clickMismatches", () => {
  const windows = parsePeerOutput(output).windows;

  it("is empty when each campaign's clicks over all windows equal the topic's", () => {
    const expected = new Map([
      ["bench-x-c0", 7],
      ["bench-x-c1", 5],
    ]);
    expect(clickMismatches(expected, windows)).toEqual([]);
  });

  it("names a campaign counted short, one not counted at all, and one the topic never held", () => {
    const expected = new Map([
      ["bench-x-c0", 8],
      ["bench-x-c2", 1],
    ]);
    expect(clickMismatches(expected, windows)).toEqual([
      "bench-x-c0: topic holds 8, Flink counted 7",
      "bench-x-c1: topic holds 0, Flink counted 5",
      "bench-x-c2: topic holds 1, Flink counted 0",
    ]);
  });
});
