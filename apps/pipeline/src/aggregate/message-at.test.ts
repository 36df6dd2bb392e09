import { describe, expect, it } from "vitest";
import { messageAt, type RawMessage } from "./batch-processor";

const batch = (offsets: number[]): RawMessage[] =>
  offsets.map((o) => ({ offset: String(o), value: null, headers: { receipt: `r${o}` } }));

describe("messageAt", () => {
  it("finds a message of a batch by its offset, gaps included (transaction markers)", () => {
    const messages = batch([10, 11, 12, 14, 15, 20]);
    for (const o of [10, 12, 14, 20])
      expect(messageAt(messages, o)?.headers?.receipt).toBe(`r${o}`);
  });
  it("is undefined for an offset the batch does not hold", () => {
    const messages = batch([10, 11, 12, 14]);
    expect(messageAt(messages, 13)).toBeUndefined();
    expect(messageAt(messages, 9)).toBeUndefined();
    expect(messageAt(messages, 15)).toBeUndefined();
    expect(messageAt([], 1)).toBeUndefined();
  });
});
