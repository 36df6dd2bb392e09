import { type Config, type TopicName, topicName } from "@adclick/shared";
import type { Admin } from "kafkajs";

/** Creates the topics a role reads when they are missing (C2), so a fresh prefix works. */
export async function ensureTopics(
  admin: Admin,
  config: Config,
  topics: TopicName[],
): Promise<string[]> {
  const names = topics.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t));
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length) {
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: config.KAFKA_TOPIC_PARTITIONS,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          configEntries: [
            { name: "retention.ms", value: String(config.KAFKA_RETENTION_HOURS * 3_600_000) },
          ],
        })),
      })
      .catch((err: { type?: string }) => {
        // Another role created it at the same moment.
        if (err.type !== "TOPIC_ALREADY_EXISTS") throw err;
      });
  }
  return names;
}
