/**
 * Topic creation (C2): each role creates the topics it needs when they are
 * missing, with the configured partitions, replication and retention, so a fresh
 * KAFKA_TOPIC_PREFIX (C7) works without a separate step.
 */
import { type Config, type TopicName, topicName } from "@adclick/shared";
import type { Admin, ITopicConfig } from "kafkajs";

export const TOPIC_LEADER_TIMEOUT_MS = 30_000;

/** The topic settings this deployment's config asks for. */
export function topicSpec(config: Config, topic: string): ITopicConfig {
  return {
    topic,
    numPartitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    configEntries: [
      { name: "retention.ms", value: String(config.KAFKA_RETENTION_HOURS * 3_600_000) },
      // Keep whatever codec the producer chose (LZ4 in production, C2); never recompress.
      { name: "compression.type", value: "producer" },
    ],
  };
}

/**
 * Creates the missing ones of `topics` (short names, prefixed here with
 * KAFKA_TOPIC_PREFIX) and returns their full names. Idempotent and safe when
 * several processes call it at once: a topic another caller created first is
 * fine, and it returns only once every partition of every topic has a leader.
 */
export async function ensureTopics(
  admin: Admin,
  config: Config,
  topics: TopicName[],
): Promise<string[]> {
  const names = topics.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t));
  const existing = new Set(await admin.listTopics());
  const missing = names.filter((name) => !existing.has(name));
  if (missing.length > 0) {
    try {
      // Resolves false when every topic already existed (created concurrently).
      await admin.createTopics({
        waitForLeaders: true,
        timeout: TOPIC_LEADER_TIMEOUT_MS,
        topics: missing.map((name) => topicSpec(config, name)),
      });
    } catch (err) {
      const failure = explainCreateError(err, config);
      if (failure) throw failure;
    }
  }
  await waitForLeaders(admin, names);
  return names;
}

/** Null when every failure is a topic that already exists; otherwise the error to throw. */
function explainCreateError(err: unknown, config: Config): unknown {
  const failures = (err as { errors?: Array<{ type?: string; message?: string }> }).errors ?? [
    err as { type?: string; message?: string },
  ];
  const others = failures.filter((e) => e.type !== "TOPIC_ALREADY_EXISTS");
  if (others.length === 0) return null;
  if (others.some((e) => e.type === "INVALID_REPLICATION_FACTOR")) {
    return new Error(
      `KAFKA_REPLICATION_FACTOR=${config.KAFKA_REPLICATION_FACTOR} is more than the brokers in the cluster; lower it`,
    );
  }
  return err;
}

/** A topic another process is creating may have no partition leaders yet. */
async function waitForLeaders(admin: Admin, names: string[]): Promise<void> {
  const deadline = Date.now() + TOPIC_LEADER_TIMEOUT_MS;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const ready =
        topics.length === names.length &&
        topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics ${names.join(", ")} have no partition leaders after 30 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
