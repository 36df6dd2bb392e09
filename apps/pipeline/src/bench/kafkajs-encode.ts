/**
 * The CPU kafkajs spends building produce requests, without a broker: its own
 * produce request encoder (records, headers, record batches, CRC, LZ4) run in
 * a loop over ingest-shaped batches. No client that encodes with it can
 * produce faster per core than this.
 */
import { createRequire } from "node:module";
import { CompressionTypes } from "kafkajs";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { usePooledEncoderBuffers } from "../kafka/pooled-encoder";

const require = createRequire(import.meta.url);

interface Message {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

type ProduceRequest = (args: {
  acks: number;
  timeout: number;
  compression: number;
  topicData: Array<{
    topic: string;
    partitions: Array<{ partition: number; firstSequence: number; messages: Message[] }>;
  }>;
}) => { encode(): Promise<unknown> };

/** Messages encoded per CPU-second, spread over `partitions` as one produce request per batch. */
export async function kafkajsEncodeRate(
  messages: readonly Message[],
  partitions: number,
  seconds: number,
): Promise<number> {
  usePooledEncoderBuffers();
  registerLz4Codec();
  const request = require("kafkajs/src/protocol/requests/produce/v3/request.js") as ProduceRequest;
  const byPartition = Array.from({ length: partitions }, (_, partition) => ({
    partition,
    firstSequence: 0,
    messages: messages.filter((_, i) => i % partitions === partition),
  }));
  const topicData = [{ topic: "bench", partitions: byPartition }];
  let encoded = 0;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - started < seconds * 1000) {
    await request({
      acks: -1,
      timeout: 30_000,
      compression: CompressionTypes.LZ4,
      topicData,
    }).encode();
    encoded += messages.length;
  }
  const cpu = process.cpuUsage(cpu0);
  return encoded / ((cpu.user + cpu.system) / 1e6);
}
