import type { CounterRedis } from "@adclick/shared/live-counters";
import { createRedisClient } from "@adclick/shared/redis";
import { env } from "../../env";

/** Where the web reads live counters from: the Redis the aggregator writes, and its topic layout. */
export interface LiveSource {
  redis: CounterRedis;
  /** KAFKA_TOPIC_PREFIX: names the watermark hash of the deployment's `clicks.raw`. */
  topicPrefix: string;
  /** Partitions of `clicks.raw`: finds a campaign's partition (and so its watermark). */
  numPartitions: number;
}

let source: LiveSource | null = null;

/** The process's one live source, connected on first use. */
export function webLiveSource(): LiveSource {
  source ??= {
    redis: createRedisClient(env, { maxRetriesPerRequest: 2, enableAutoPipelining: false }),
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    numPartitions: env.KAFKA_TOPIC_PARTITIONS,
  };
  return source;
}
