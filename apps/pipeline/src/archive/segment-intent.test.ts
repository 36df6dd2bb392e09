import { describe, expect, it } from "vitest";
import { commitMetadata, isCommitted, type PendingSegment, writerFileKey } from "./segment-intent";

const segment = (writer: string | undefined, first: string, last: string): PendingSegment => ({
  topic: "t.clicks.raw",
  partition: 3,
  firstOffset: first,
  lastOffset: last,
  writer,
  files: [],
});

describe("isCommitted", () => {
  it("keeps the segment the committed offset ends and names", () => {
    expect(
      isCommitted(segment("w1", "100", "199"), { offset: 200n, metadata: commitMetadata("w1") }),
    ).toBe(true);
  });

  it("supersedes another writer's segment of the same range (a zombie's)", () => {
    expect(
      isCommitted(segment("zombie", "100", "199"), {
        offset: 200n,
        metadata: commitMetadata("w1"),
      }),
    ).toBe(false);
  });

  it("supersedes a segment the committed offset has not reached or has passed", () => {
    const w = { metadata: commitMetadata("w1") };
    expect(isCommitted(segment("w1", "100", "199"), { offset: 100n, ...w })).toBe(false);
    expect(isCommitted(segment("w1", "100", "199"), { offset: 300n, ...w })).toBe(false);
    expect(isCommitted(segment("w1", "0", "99"), { offset: null, metadata: null })).toBe(false);
  });

  it("reads records written before writer ids by their first offset", () => {
    expect(isCommitted(segment(undefined, "0", "99"), { offset: 100n, metadata: null })).toBe(true);
    expect(isCommitted(segment(undefined, "100", "199"), { offset: 100n, metadata: null })).toBe(
      false,
    );
  });
});

describe("writerFileKey", () => {
  it("names the hour, partition, offset range and writer", () => {
    expect(writerFileKey("raw", Date.UTC(2026, 0, 31, 13), 3, "100", "199", "ab12")).toBe(
      "raw/dt=2026-01-31/hour=13/p0003-00000000000000000100-00000000000000000199-ab12.parquet",
    );
  });
});
