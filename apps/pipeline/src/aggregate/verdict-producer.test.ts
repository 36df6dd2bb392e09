import {
  type Kafka,
  KafkaJSNonRetriableError,
  type Producer,
  type ProducerBatch,
  type ProducerConfig,
} from "kafkajs";
import { describe, expect, it } from "vitest";
import { createLogger } from "../runtime/logger";
import { VerdictProducer } from "./verdict-producer";

/**
 * A stand-in for kafkajs's client: each producer() is a fake whose sends follow `outcomes`,
 * partitioning every message to partition 0 with the producer's partitioner as kafkajs does.
 * "dropped" resolves without a response for the partition (kafkajs 2.2 after a leader move).
 */
function fakeKafka(outcomes: Array<"ok" | "out-of-order" | "dropped">) {
  const made: Array<{ id: number; sent: number; connected: boolean; disconnected: boolean }> = [];
  const kafka = {
    producer: (config?: ProducerConfig) => {
      const partitioner = config?.createPartitioner?.();
      const p = { id: made.length, sent: 0, connected: false, disconnected: false };
      made.push(p);
      return {
        connect: async () => {
          p.connected = true;
        },
        disconnect: async () => {
          p.disconnected = true;
        },
        sendBatch: async (b: ProducerBatch) => {
          const outcome = outcomes.shift() ?? "ok";
          if (outcome === "out-of-order")
            throw new KafkaJSNonRetriableError(
              "The broker received an out of order sequence number",
            );
          const partitionMetadata = [{ partitionId: 0, leader: 1 }];
          for (const t of b.topicMessages ?? [])
            for (const message of t.messages)
              partitioner?.({ topic: t.topic, partitionMetadata, message } as never);
          if (outcome === "dropped") return [];
          p.sent++;
          return (b.topicMessages ?? []).map((t) => ({
            topicName: t.topic,
            partition: 0,
            errorCode: 0,
          }));
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, made };
}

/** kafkajs's own test of whether a consumer crash restarts (consumer/index.js, onCrash). */
function kafkajsWouldRestart(e: Error & { cause?: unknown; retriable?: boolean }): boolean {
  let cause: { cause?: unknown; retriable?: boolean } = e;
  while (cause.cause) cause = cause.cause as typeof cause;
  return cause.retriable === true;
}

const batch: ProducerBatch = { topicMessages: [{ topic: "t", messages: [{ value: "v" }] }] };

describe("VerdictProducer", () => {
  it("replaces the producer after a failed send and fails the batch with an error kafkajs retries", async () => {
    const { kafka, made } = fakeKafka(["ok", "out-of-order", "ok"]);
    const verdicts = new VerdictProducer(kafka, createLogger("silent"));
    await verdicts.connect();
    await verdicts.sendBatch(batch);
    const failure = await verdicts.sendBatch(batch).then(
      () => null,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/out of order sequence number/);
    // Retried by kafkajs (the batch is redelivered), never a crash for good.
    expect((failure as { retriable?: boolean }).retriable).toBe(true);
    expect(kafkajsWouldRestart(failure!)).toBe(true);
    await verdicts.sendBatch(batch);
    expect(made.map((p) => [p.sent, p.connected, p.disconnected])).toEqual([
      [1, true, true],
      [1, true, false],
    ]);
    await verdicts.disconnect();
    expect(made[1]!.disconnected).toBe(true);
  });

  it("replaces a failed producer once, however many sends failed with it", async () => {
    const { kafka, made } = fakeKafka(["out-of-order", "out-of-order", "ok"]);
    const verdicts = new VerdictProducer(kafka, createLogger("silent"));
    await verdicts.connect();
    const results = await Promise.allSettled([
      verdicts.sendBatch(batch),
      verdicts.sendBatch(batch),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await verdicts.sendBatch(batch);
    expect(made.length).toBe(2);
    expect(made[1]!.sent).toBe(1);
  });

  it("fails and retries a batch whose send resolved without a response for its partition", async () => {
    const { kafka, made } = fakeKafka(["dropped", "ok"]);
    const verdicts = new VerdictProducer(kafka, createLogger("silent"));
    await verdicts.connect();
    const failure = await verdicts.sendBatch(batch).then(
      () => null,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/acknowledged 0 of 1 messages/);
    expect((failure as { retriable?: boolean }).retriable).toBe(true);
    await verdicts.sendBatch(batch);
    expect(made.map((p) => p.sent)).toEqual([0, 1]);
  });
});
