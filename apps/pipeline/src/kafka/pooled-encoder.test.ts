import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encoderClasses, usePooledEncoderBuffers } from "./pooled-encoder";

const require = createRequire(import.meta.url);

/** One write: its kind and the one argument that kind takes. */
interface Op {
  kind: string;
  n?: number;
  s?: string;
  b?: Uint8Array;
}

const op = fc.oneof(
  fc.record({ kind: fc.constant("int8" as const), n: fc.integer({ min: -128, max: 127 }) }),
  fc.record({ kind: fc.constant("int16" as const), n: fc.integer({ min: -32768, max: 32767 }) }),
  fc.record({
    kind: fc.constant("int32" as const),
    n: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  }),
  fc.record({
    kind: fc.constant("varint" as const),
    n: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  }),
  fc.record({
    kind: fc.constant("varlong" as const),
    n: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  }),
  fc.record({
    kind: fc.constantFrom("string" as const, "varintString" as const),
    s: fc.string({ maxLength: 700 }),
  }),
  fc.record({
    kind: fc.constantFrom("bytes" as const, "varintBytes" as const),
    b: fc.uint8Array({ maxLength: 3000 }),
  }),
);

// biome-ignore lint/suspicious/noExplicitAny: kafkajs's encoder is untyped JavaScript.
function apply(encoder: any, ops: readonly Op[]): Buffer {
  for (const o of ops) {
    if (o.kind === "int8") encoder.writeInt8(o.n!);
    else if (o.kind === "int16") encoder.writeInt16(o.n!);
    else if (o.kind === "int32") encoder.writeInt32(o.n!);
    else if (o.kind === "varint") encoder.writeVarInt(o.n!);
    else if (o.kind === "varlong") encoder.writeVarLong(o.n!);
    else if (o.kind === "string") encoder.writeString(o.s!);
    else if (o.kind === "varintString") encoder.writeVarIntString(o.s!);
    else if (o.kind === "bytes") encoder.writeBytes(Buffer.from(o.b!));
    else encoder.writeVarIntBytes(Buffer.from(o.b!));
  }
  return encoder.buffer;
}

describe("pooled kafkajs encoder", () => {
  it("installs for the kafkajs version it was written against", () => {
    expect(usePooledEncoderBuffers()).toBe(true);
    expect(usePooledEncoderBuffers()).toBe(true);
  });

  it("writes exactly the bytes kafkajs's own encoder writes, through any growth", () => {
    usePooledEncoderBuffers();
    const { reference, pooled } = encoderClasses()!;
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.integer({ min: 1, max: 600 }),
        (ops, size) => {
          expect(apply(new pooled(size), ops)).toEqual(apply(new reference(size), ops));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reaches kafkajs's record encoding, which then takes small buffers from the shared pool", () => {
    usePooledEncoderBuffers();
    const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");
    const record = Record({ key: "c1", value: "x".repeat(100), headers: { receipt: "r1" } });
    expect(record).toBeInstanceOf(encoderClasses()!.pooled);
    expect(record.buf.buffer.byteLength).toBe(Buffer.poolSize);
  });
});
