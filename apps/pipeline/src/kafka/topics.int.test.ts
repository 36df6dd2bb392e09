/** ensureTopics against the local Kafka (assumes `adclick services up`). */
import { topicName } from "@adclick/shared";
import { type Admin, ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createKafka } from "./client";
import { ensureTopics } from "./topics";

describe("ensureTopics", () => {
  let stack: TestStack;
  let admin: Admin;

  beforeAll(async () => {
    stack = await createTestStack({ database: false, env: { KAFKA_RETENTION_HOURS: "2" } });
    admin = createKafka(stack.config, "adclick-topics-test").admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await stack?.cleanup();
  });

  it("creates missing topics with the configured partitions, retention and compression", async () => {
    // Two callers at once, as when several roles start together.
    const [first, second] = await Promise.all([
      ensureTopics(admin, stack.config, ["raw", "flagged"]),
      ensureTopics(admin, stack.config, ["raw", "flagged"]),
    ]);
    const names = [topicName(stack.topicPrefix, "raw"), topicName(stack.topicPrefix, "flagged")];
    expect(first).toEqual(names);
    expect(second).toEqual(names);

    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    for (const topic of topics) {
      expect(topic.partitions).toHaveLength(stack.config.KAFKA_TOPIC_PARTITIONS);
      expect(topic.partitions.every((p) => p.leader >= 0)).toBe(true);
    }

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: names[0]!,
          configNames: ["retention.ms", "compression.type"],
        },
      ],
    });
    const entries = Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
    expect(entries).toEqual({
      "retention.ms": String(2 * 3_600_000),
      "compression.type": "producer",
    });
  });

  it("is idempotent: a second call changes nothing", async () => {
    const again = await ensureTopics(admin, stack.config, ["raw"]);
    expect(again).toEqual([topicName(stack.topicPrefix, "raw")]);
    const { topics } = await admin.fetchTopicMetadata({ topics: again });
    expect(topics[0]!.partitions).toHaveLength(stack.config.KAFKA_TOPIC_PARTITIONS);
  });

  it("rides out topic creation by other processes: many clients at once on fresh topics, five rounds", async () => {
    // Separate clients, as separate roles are: each has its own metadata cache and connections.
    const clients = Array.from({ length: 6 }, (_, i) =>
      createKafka(stack.config, `adclick-topics-race-${i}`).admin(),
    );
    await Promise.all(clients.map((c) => c.connect()));
    try {
      for (let round = 0; round < 5; round++) {
        const config = { ...stack.config, KAFKA_TOPIC_PREFIX: `${stack.topicPrefix}r${round}.` };
        const results = await Promise.allSettled(
          clients.map((c, i) =>
            ensureTopics(c, config, i % 2 ? ["raw", "rejected"] : ["raw", "flagged", "fraud"]),
          ),
        );
        const failures = results.flatMap((r) =>
          r.status === "rejected" ? [String((r.reason as Error).message)] : [],
        );
        expect(failures).toEqual([]);
        // Every client sees every partition with a leader once its call returned.
        for (const c of clients) {
          const { topics } = await c.fetchTopicMetadata({
            topics: [topicName(config.KAFKA_TOPIC_PREFIX, "raw")],
          });
          expect(topics[0]!.partitions.map((p) => p.leader >= 0)).toEqual(
            Array(stack.config.KAFKA_TOPIC_PARTITIONS).fill(true),
          );
        }
      }
    } finally {
      await Promise.all(clients.map((c) => c.disconnect()));
    }
  });
});
