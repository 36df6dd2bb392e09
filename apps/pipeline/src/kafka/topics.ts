/**
 * Topic creation (C2): each role creates the topics it needs when they are
 * missing, with the configured partitions, replication and retention, so a fresh
 * KAFKA_TOPIC_PREFIX (C7) works without a separate step.
 */
import { type Config, type TopicName, topicName } from "@adclick/shared";
import type { Admin, ITopicConfig } from "kafkajs";
import type { Logger } from "../runtime/logger";

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
      // Replicated: an acknowledged write (acks=all) is on at least two brokers.
      ...(config.KAFKA_REPLICATION_FACTOR >= 3
        ? [{ name: "min.insync.replicas", value: "2" }]
        : []),
    ],
  };
}

export interface EnsureTopicsOptions {
  /** Logs each retry while another process is still creating the topics or the broker is late. */
  logger?: Logger;
  /** How long to keep trying before giving up (default TOPIC_LEADER_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** A topic request the cluster can never satisfy: retrying does not help. */
export class TopicConfigError extends Error {}

/**
 * Creates the missing ones of `topics` (short names, prefixed here with
 * KAFKA_TOPIC_PREFIX) and returns their full names. Idempotent and safe when
 * several processes call it at once: a topic another caller created first is
 * fine, and it returns only once every partition of every topic has a leader
 * in the metadata this client sees. A broker that is late, or a topic whose
 * metadata has not reached the broker yet ("This server does not host this
 * topic-partition"), is retried with backoff until `timeoutMs`.
 */
export async function ensureTopics(
  admin: Admin,
  config: Config,
  topics: TopicName[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const names = topics.map((t) => topicName(config.KAFKA_TOPIC_PREFIX, t));
  const deadline = Date.now() + (options.timeoutMs ?? TOPIC_LEADER_TIMEOUT_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = names.filter((name) => !existing.has(name));
      if (missing.length > 0) {
        try {
          // We wait for leaders ourselves: kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION.
          await admin.createTopics({
            waitForLeaders: false,
            timeout: TOPIC_LEADER_TIMEOUT_MS,
            topics: missing.map((name) => topicSpec(config, name)),
          });
        } catch (err) {
          const failure = explainCreateError(err, config);
          if (failure) throw failure;
        }
      }
      const notReady = await partitionsWithoutLeader(admin, names);
      if (notReady.length === 0) return names;
      throw new Error(`no leader yet for ${notReady.join(", ")}`);
    } catch (err) {
      if (err instanceof TopicConfigError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (Date.now() >= deadline) {
        throw new Error(`Kafka topics ${names.join(", ")} are not ready: ${message}`);
      }
      const delayMs = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
      options.logger?.info(
        { topics: names, attempt: attempt + 1, delayMs, reason: message },
        "waiting for Kafka topics",
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Null when every failure is a topic that already exists; otherwise the error to throw. */
function explainCreateError(err: unknown, config: Config): unknown {
  const failures = (err as { errors?: Array<{ type?: string; message?: string }> }).errors ?? [
    err as { type?: string; message?: string },
  ];
  const others = failures.filter((e) => e.type !== "TOPIC_ALREADY_EXISTS");
  if (others.length === 0) return null;
  if (others.some((e) => e.type === "INVALID_REPLICATION_FACTOR")) {
    return new TopicConfigError(
      `KAFKA_REPLICATION_FACTOR=${config.KAFKA_REPLICATION_FACTOR} is more than the brokers in the cluster; lower it`,
    );
  }
  if (others.some((e) => e.type === "INVALID_PARTITIONS" || e.type === "INVALID_CONFIG")) {
    return new TopicConfigError(others.map((e) => e.message ?? e.type).join("; "));
  }
  return err;
}

/** `topic/partition` of every partition that has no leader (or no metadata) yet. */
async function partitionsWithoutLeader(admin: Admin, names: string[]): Promise<string[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const missing: string[] = [];
  for (const name of names) {
    const topic = topics.find((t) => t.name === name);
    if (!topic || topic.partitions.length === 0) {
      missing.push(`${name} (no metadata)`);
      continue;
    }
    for (const p of topic.partitions) {
      if (p.leader < 0 || (p.partitionErrorCode ?? 0) !== 0)
        missing.push(`${name}/${p.partitionId}`);
    }
  }
  return missing;
}
