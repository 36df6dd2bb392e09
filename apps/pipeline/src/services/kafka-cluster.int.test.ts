/**
 * The three-broker Kafka (KRaft, replication 3, min.insync.replicas 2): topics
 * are created replicated, and with one broker killed, acknowledged writes and
 * reads go on and nothing acknowledged is lost.
 */
import { loadConfig, topicName } from "@adclick/shared";
import { ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnKafkaCluster, startOwnKafkaCluster } from "../../../../test/own-kafka-cluster";
import { waitFor } from "../../../../test/processes";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";

let own: OwnKafkaCluster;

beforeAll(async () => {
  const startedAt = Date.now();
  own = await startOwnKafkaCluster();
  console.log(`[kafka cluster] three brokers up in ${Date.now() - startedAt} ms`);
}, 180_000);

afterAll(async () => {
  await own?.destroy();
});

describe("three-broker Kafka", () => {
  it("creates topics with three replicas, min.insync.replicas 2, and keeps serving with a broker killed", async () => {
    const config = loadConfig({
      KAFKA_BROKERS: own.brokers,
      KAFKA_TOPIC_PREFIX: "kc.",
      KAFKA_TOPIC_PARTITIONS: "3",
      KAFKA_REPLICATION_FACTOR: "3",
    });
    // Retries long enough to outlast a leader election (the broker's session timeout).
    const kafka = createKafka(config, "adclick-kafka-cluster-test", undefined, {
      retry: { retries: 12, initialRetryTime: 300, maxRetryTime: 3000 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const [raw] = await ensureTopics(admin, config, ["raw"]);
      expect(raw).toBe(topicName("kc.", "raw"));
      // Every broker learns of the new topic a moment apart: ask until the one asked knows.
      let topics: Awaited<ReturnType<typeof admin.fetchTopicMetadata>>["topics"] = [];
      await waitFor("the topic's metadata on every broker", async () => {
        topics = (await admin.fetchTopicMetadata({ topics: [raw!] })).topics;
        return true;
      });
      expect(topics[0]!.partitions).toHaveLength(3);
      for (const p of topics[0]!.partitions) expect(p.replicas).toHaveLength(3);
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: raw!, configNames: ["min.insync.replicas"] },
        ],
      });
      expect(described.resources[0]!.configEntries[0]!.configValue).toBe("2");

      const send = (from: number, n: number) =>
        producer.send({
          topic: raw!,
          acks: -1,
          messages: Array.from({ length: n }, (_, i) => ({
            key: `k${(from + i) % 7}`,
            value: String(from + i),
          })),
        });
      await send(0, 200);
      // The leader of partition 0 dies without a controlled shutdown.
      const leader = topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
      const killedAt = Date.now();
      await own.cluster.kill(leader);
      await send(200, 200);
      console.log(
        `[kafka cluster] broker ${leader} killed; the next acks=all send took ${Date.now() - killedAt} ms`,
      );

      const seen = new Set<string>();
      const consumer = kafka.consumer({ groupId: "kc.reader", sessionTimeout: 10_000 });
      await consumer.connect();
      await consumer.subscribe({ topic: raw!, fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.add(String(message.value));
            if (seen.size === 400) resolve();
          },
        });
      });
      await Promise.race([
        done,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`read ${seen.size} of 400`)), 60_000),
        ),
      ]);
      await consumer.disconnect();
      expect(seen.size).toBe(400);

      await own.cluster.restart(leader);
      expect(own.cluster.isRunning(leader)).toBe(true);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 180_000);
});
