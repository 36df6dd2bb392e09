import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id";

describe("requestIdOf", () => {
  it("reads the receipt header as Kafka delivers it (a Buffer)", () => {
    expect(requestIdOf({ [REQUEST_ID_HEADER]: Buffer.from("r-123") })).toBe("r-123");
  });
  it("reads a string or the first of repeated headers", () => {
    expect(requestIdOf({ receipt: "r-1" })).toBe("r-1");
    expect(requestIdOf({ receipt: [Buffer.from("r-2"), Buffer.from("r-3")] })).toBe("r-2");
  });
  it("is undefined without the header", () => {
    expect(requestIdOf(undefined)).toBeUndefined();
    expect(requestIdOf({ other: "x" })).toBeUndefined();
  });
});
