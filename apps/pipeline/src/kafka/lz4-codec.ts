/**
 * LZ4 for kafkajs, which ships only gzip. Kafka's LZ4 is the LZ4 *frame* format;
 * lz4-napi (MIT, prebuilt napi-rs binaries from the npm registry, wrapping the
 * Rust lz4_flex) provides it. Registering is global to kafkajs and idempotent:
 * every process that produces or consumes LZ4 batches must call it once.
 */
import kafkajs from "kafkajs";
import { compressFrameSync, decompressFrameSync } from "lz4-napi";

// kafkajs is CommonJS and Node's ESM loader (tsx, the CLI) cannot see `CompressionCodecs` as a named export.
const { CompressionCodecs, CompressionTypes } = kafkajs;
let registered = false;

export function registerLz4Codec(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    // The sync calls: the async ones hand each record batch to libuv's thread pool, which costs
    // ~65 µs of CPU per call against ~4 µs for compressing a 7 KB partition batch in place, and
    // 19 µs against 8.5 µs for decompressing one of 20 clicks.
    compress: (encoder: { buffer: Buffer }) => compressFrameSync(encoder.buffer),
    decompress: (buffer: Buffer) => decompressFrameSync(buffer),
  });
}
