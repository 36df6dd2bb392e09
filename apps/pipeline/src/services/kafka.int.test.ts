/** Smoke test of the local Kafka (assumes `adclick services up`): produce and consume on a throwaway prefix. */
import { groupName, topicName } from "@adclick/shared";
import { type Admin, type Consumer, Partitioners, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";

describe("local Kafka", () => {
  let stack: TestStack;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;

  beforeAll(async () => {
    stack = await createTestStack({ database: false });
    const kafka = createKafka(stack.config, "adclick-smoke-test");
    admin = kafka.admin();
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    consumer = kafka.consumer({ groupId: groupName(stack.topicPrefix, "smoke") });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
  });

  afterAll(async () => {
    await Promise.allSettled([consumer?.disconnect(), producer?.disconnect()]);
    await stack?.cleanup();
    // The cleanup deleted this test's topics.
    const left = (await admin.listTopics()).filter((t) => t.startsWith(stack.topicPrefix));
    await admin.disconnect();
    expect(left).toEqual([]);
  });

  it("delivers what a producer sends to a consumer group, in order per key", async () => {
    const [topic] = await ensureTopics(admin, stack.config, ["raw"]);
    expect(topic).toBe(topicName(stack.topicPrefix, "raw"));

    const sent = Array.from({ length: 5 }, (_, i) => ({ key: "campaign-1", value: `click-${i}` }));
    await producer.send({ topic: topic!, acks: -1, messages: sent });

    await consumer.subscribe({ topic: topic!, fromBeginning: true });
    const received: string[] = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!.toString());
          if (received.length === sent.length) resolve();
        },
      });
    });
    await done;
    expect(received).toEqual(sent.map((m) => m.value));
  });
});
