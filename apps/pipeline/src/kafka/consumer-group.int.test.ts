/** The consumer-group module against the local Kafka (assumes `adclick services up`). */
import { groupName, topicName } from "@adclick/shared";
import { KafkaJSNonRetriableError, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createLogger } from "../runtime/logger";
import { createKafka } from "./client";
import { CommitNotConfirmedError, ConsumerGroup, type Membership } from "./consumer-group";

const logger = createLogger(process.env.CG_LOG ?? "silent");

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("ConsumerGroup", () => {
  let stack: TestStack;
  let producer: Producer;
  const groups: ConsumerGroup[] = [];

  beforeAll(async () => {
    stack = await createTestStack({ database: false, env: { KAFKA_TOPIC_PARTITIONS: "2" } });
    producer = createKafka(stack.config, "consumer-group-test").producer();
    await producer.connect();
  });

  afterAll(async () => {
    for (const g of groups) await g.stop().catch(() => undefined);
    await producer?.disconnect();
    await stack?.cleanup();
  });

  function group(
    name: string,
    eachBatch: ConstructorParameters<typeof ConsumerGroup>[0]["eachBatch"],
  ): ConsumerGroup {
    const g = new ConsumerGroup({
      kafka: createKafka(stack.config, `cg-test-${name}`),
      config: stack.config,
      logger,
      groupId: groupName(stack.topicPrefix, name),
      topics: ["flagged"],
      consumer: { sessionTimeout: 6_000, heartbeatInterval: 500, rebalanceTimeout: 6_000 },
      eachBatch,
    });
    groups.push(g);
    return g;
  }

  it("creates its topics, joins, and commits only what the broker then holds, with metadata", async () => {
    const topic = topicName(stack.topicPrefix, "flagged");
    let seen: { membership: Membership; partition: number; last: string } | null = null;
    const g = group("commit", async ({ batch }, membership) => {
      seen = { membership, partition: batch.partition, last: batch.lastOffset() };
    });
    await g.start();
    expect(g.topics).toEqual([topic]);
    await producer.send({ topic, messages: [{ key: "k", value: "v", partition: 1 }] });
    await waitFor(() => seen !== null, 20_000, "a batch");
    const { membership, partition, last } = seen!;
    expect(g.ready()).toBe(true);
    expect(g.isCurrent(membership)).toBe(true);
    await g.commit(membership, [
      { topic, partition, offset: String(BigInt(last) + 1n), metadata: "segment-a" },
    ]);
    const held = await g.committed(topic);
    expect(held.get(1)).toEqual({ offset: 1n, metadata: "segment-a" });
    expect(held.get(0)).toEqual({ offset: null, metadata: null });
  });

  it("refuses a commit of a membership that a rebalance ended, and the offset stays", async () => {
    const topic = topicName(stack.topicPrefix, "flagged");
    let first: Membership | null = null;
    const a = group("rebalance", async (_payload, m) => {
      first ??= m;
    });
    await a.start();
    await producer.send({ topic, messages: [{ key: "k", value: "v", partition: 0 }] });
    await waitFor(() => first !== null, 20_000, "a batch");
    const b = group("rebalance", async () => undefined);
    await b.start();
    await waitFor(() => a.current() !== first && a.current() !== null, 30_000, "the rebalance");
    expect(a.isCurrent(first!)).toBe(false);
    await expect(a.commit(first!, [{ topic, partition: 0, offset: "1" }])).rejects.toBeInstanceOf(
      CommitNotConfirmedError,
    );
    expect((await a.committed(topic)).get(0)).toEqual({ offset: null, metadata: null });
  });

  it("is not ready once the consumer crashed for good", async () => {
    const topic = topicName(stack.topicPrefix, "flagged");
    const g = group("fatal", async () => {
      throw Object.assign(new Error("the sink cannot go on"), { retriable: false });
    });
    await g.start();
    await waitFor(() => g.ready(), 20_000, "the join");
    await producer.send({ topic, messages: [{ key: "k", value: "boom", partition: 0 }] });
    await waitFor(() => !g.ready(), 20_000, "readiness to turn false");
    expect(g.current()).toBeNull();
  });

  it("starts a new consumer when kafkajs gives up for good on a coordinator that a broker restart moved", async () => {
    const topic = topicName(stack.topicPrefix, "flagged");
    const delivered: Array<{ generation: number; value: string }> = [];
    let crashes = 0;
    const g = group("coordinator", async ({ batch }, membership) => {
      if (crashes === 0) {
        crashes++;
        // What kafkajs throws when it rejoins while a restarting broker has no coordinator.
        throw Object.assign(new KafkaJSNonRetriableError("Failed to find group coordinator"), {
          cause: Object.assign(new Error("Failed to find group coordinator"), {
            name: "KafkaJSGroupCoordinatorNotFound",
            retriable: false,
          }),
        });
      }
      for (const m of batch.messages)
        delivered.push({ generation: membership.generation, value: String(m.value) });
    });
    await g.start();
    await producer.send({ topic, messages: [{ key: "k", value: "after-crash", partition: 0 }] });
    await waitFor(
      () => delivered.some((d) => d.value === "after-crash"),
      60_000,
      "the batch after the crash",
    );
    expect(crashes).toBe(1);
    expect(Math.max(...delivered.map((d) => d.generation))).toBeGreaterThanOrEqual(2);
    expect(g.ready()).toBe(true);
  });
});
