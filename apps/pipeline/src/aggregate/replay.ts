/**
 * `adclick replay --from <time>`: rebuilds the live counters of every UTC day
 * from the day of `from` onwards by reading clicks.raw again. The aggregators
 * must be stopped (the command refuses while the group has members): it
 * deletes those days' counters and every offset state of the topic, replays
 * each partition from an hour before that day up to the end offsets it saw at
 * start, then sets the aggregator group's offsets to those end offsets so the
 * aggregators resume exactly where the replay stopped.
 *
 * Its progress is recorded in Redis (replay-record.ts): a replay that crashed
 * midway is reported by the next one, which redoes it from the earlier of the
 * two start times, and the aggregators refuse to start until one has finished.
 */

import { randomBytes } from "node:crypto";
import {
  type BlocklistEntry,
  type Config,
  dayStartMs,
  groupName,
  parseWindowKey,
  topicName,
} from "@adclick/shared";
import {
  createRedisClient,
  type RedisClient,
  replyValue,
  SlotPipeline,
  scanKeys,
} from "@adclick/shared/redis";
import type { Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { registerLz4Codec } from "../kafka/lz4-codec";
import type { Logger } from "../runtime/logger";
import { AggregateStore } from "./aggregate-store";
import { BatchProcessor } from "./batch-processor";
import { BlocklistSource } from "./blocklist-source";
import { createAggregatorMetrics } from "./metrics";
import {
  beginReplayRecord,
  describeUnfinished,
  finishReplayRecord,
  readReplayRecord,
  recordReplayProgress,
} from "./replay-record";

export interface ReplayOptions {
  config: Config;
  logger: Logger;
  registry: Registry;
  fromMs: number;
  loadBlocklist: () => Promise<BlocklistEntry[]>;
  /** Replay even while aggregators are running (their writes will conflict: only for emergencies). */
  force?: boolean;
  /** Bytes fetched per partition per request (default 4 MiB). */
  fetchBytes?: number;
}

export interface ReplayResult {
  fromDayMs: number;
  /** The unfinished replay this one redid, as one line (null: there was none). */
  resumed: string | null;
  deletedKeys: number;
  events: number;
  partitions: Array<{ partition: number; from: number; to: number }>;
}

export async function replayCounters(o: ReplayOptions): Promise<ReplayResult> {
  registerLz4Codec();
  const topic = topicName(o.config.KAFKA_TOPIC_PREFIX, "raw");
  const aggregatorGroup = groupName(o.config.KAFKA_TOPIC_PREFIX, "aggregator");
  let fromDayMs = dayStartMs(o.fromMs);
  const kafka = createKafka(o.config, "adclick-replay", o.logger);
  const admin = kafka.admin();
  const redis = createRedisClient(o.config, { maxRetriesPerRequest: null });
  const blocklist = new BlocklistSource(o.loadBlocklist, o.logger, 30_000);
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic))
      throw new Error(`topic ${topic} does not exist: nothing to replay`);
    const described = await admin.describeGroups([aggregatorGroup]);
    const members = described.groups[0]?.members.length ?? 0;
    if (members > 0 && !o.force) {
      throw new Error(
        `${members} aggregator(s) are running in group ${aggregatorGroup}; stop them first (or pass --force)`,
      );
    }

    const unfinished = await readReplayRecord(redis, topic);
    const resumed = unfinished?.state === "running" ? describeUnfinished(unfinished) : null;
    if (unfinished?.state === "running") {
      o.logger.warn({ unfinished: resumed }, "redoing a replay that did not finish");
      fromDayMs = Math.min(fromDayMs, dayStartMs(unfinished.fromMs));
    }
    const starts = await admin.fetchTopicOffsetsByTimestamp(topic, fromDayMs - 3_600_000);
    const ends = await admin.fetchTopicOffsets(topic);
    const committed =
      (await admin.fetchOffsets({ groupId: aggregatorGroup, topics: [topic] }))[0]?.partitions ??
      [];
    const plan = ends.map((e) => {
      const high = Number(e.high);
      const byTime = Number(starts.find((s) => s.partition === e.partition)?.offset ?? -1);
      const from = byTime >= 0 ? Math.min(byTime, high) : high;
      const done = Number(committed.find((c) => c.partition === e.partition)?.offset ?? -1);
      if (done >= 0 && done < from) {
        throw new Error(
          `the aggregators are behind the replay start on partition ${e.partition}; let them catch up or replay from an earlier time`,
        );
      }
      return { partition: e.partition, from, to: high };
    });

    await beginReplayRecord(redis, topic, fromDayMs, plan);
    const deletedKeys = await deleteFrom(redis, topic, fromDayMs);
    const store = new AggregateStore(redis, topic);
    for (const p of plan) await store.setMarker(p.partition, p.from - 1);
    const epoch = await store.nextEpoch(aggregatorGroup);
    await blocklist.start();
    const processor = new BatchProcessor({
      store,
      producer: null,
      flaggedTopic: "",
      fraudTopic: "",
      blocklist,
      metrics: createAggregatorMetrics(o.registry),
      logger: o.logger,
      horizonOffset: async () => 0,
      detectRedisLoss: false,
      minTsMs: fromDayMs,
    });

    const pending = new Set(plan.filter((p) => p.to > p.from).map((p) => p.partition));
    let events = 0;
    if (pending.size > 0) {
      const groupId = groupName(
        o.config.KAFKA_TOPIC_PREFIX,
        `replay-${randomBytes(4).toString("hex")}`,
      );
      const consumer = kafka.consumer({
        groupId,
        maxWaitTimeInMs: 250,
        maxBytesPerPartition: o.fetchBytes ?? 4 * 1024 * 1024,
      });
      let finish: () => void = () => undefined;
      let fail: (err: unknown) => void = () => undefined;
      const finished = new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const p of plan)
          consumer.seek({ topic, partition: p.partition, offset: String(p.from) });
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: false,
        // Offsets are resolved by hand: kafkajs fetches from the last resolved offset, so a batch
        // left unresolved would be fetched again.
        eachBatch: async ({ batch, isStale, resolveOffset }) => {
          const p = plan.find((x) => x.partition === batch.partition)!;
          const messages = pending.has(p.partition)
            ? batch.messages.filter((m) => Number(m.offset) >= p.from && Number(m.offset) < p.to)
            : [];
          if (messages.length > 0) {
            try {
              const outcome = await processor.process(p.partition, messages, epoch, isStale);
              if (outcome.kind === "abandoned") return;
              if (outcome.kind !== "done") {
                fail(
                  new Error(
                    `partition ${p.partition}: replay was ${outcome.kind}; is a live aggregator still running?`,
                  ),
                );
                return;
              }
            } catch (err) {
              fail(err);
              return;
            }
            events += messages.length;
            const next = Number(messages[messages.length - 1]!.offset) + 1;
            await recordReplayProgress(redis, topic, p.partition, next, p.to);
            if (next >= p.to) {
              pending.delete(p.partition);
              if (pending.size === 0) finish();
            }
          }
          if (!isStale()) resolveOffset(batch.lastOffset());
        },
      });
      try {
        await finished;
      } finally {
        await consumer.disconnect();
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
    }
    // The counters are complete up to where the aggregators will resume.
    for (const p of plan) await store.setMarker(p.partition, p.to - 1);
    await admin.setOffsets({
      groupId: aggregatorGroup,
      topic,
      partitions: plan.map((p) => ({ partition: p.partition, offset: String(p.to) })),
    });
    await finishReplayRecord(redis, topic);
    return { fromDayMs, resumed, deletedKeys, events, partitions: plan };
  } finally {
    blocklist.stop();
    await admin.disconnect();
    await redis.quit().catch(() => undefined);
  }
}

/** Deletes counters (and their HyperLogLogs) of days ≥ fromDayMs, and every offset state of `topic`. */
async function deleteFrom(redis: RedisClient, topic: string, fromDayMs: number): Promise<number> {
  let deleted = 0;
  const patterns: Array<[string, (key: string) => boolean]> = [
    ["counter:*", (k) => windowOf(k) >= fromDayMs],
    ["hll:*", (k) => windowOf(k) >= fromDayMs],
    [`aggstate:*:${topic}:*`, () => true],
  ];
  for (const [match, keep] of patterns) {
    // Every master's keys; one UNLINK per key, each in its own slot.
    for await (const keys of scanKeys(redis, match)) {
      const doomed = new SlotPipeline(redis);
      for (const key of keys.filter(keep)) doomed.add(key, (p) => p.unlink(key));
      for (const reply of await doomed.exec()) deleted += Number(replyValue(reply));
    }
  }
  return deleted;
}

/** The window or day start of `counter:{c}:<window>:<dim>` / `hll:{c}:<window>:<dim>`. */
function windowOf(key: string): number {
  const m = /\}:(\d{8}|\d{12}):/.exec(key);
  return m ? parseWindowKey(m[1]!) : Number.NEGATIVE_INFINITY;
}
