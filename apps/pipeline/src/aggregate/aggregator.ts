/**
 * The streaming aggregator (`adclick aggregate`): a consumer group over
 * clicks.raw that scores every click (C8) and keeps the live counters in Redis
 * (C3) exact to the click. See apps/pipeline/README.md, "Live counters".
 *
 * The consumer-group plumbing (topic creation, a late broker at start, joins,
 * crashes, stale batches, heartbeats) is kafka/consumer-group.ts's, as for the
 * archiver and the review sink. On top of it, kafkajs traps guarded against:
 * - an old eachBatch still running beside the new one after a rebalance:
 *   batches of one partition are serialised by a per-partition lock, and every
 *   flush carries the fencing epoch of the generation it started under (claimed
 *   by the generation's leader as it assigns, compare-and-set, see
 *   fencing-assigner.ts: a delayed claim of an old generation cannot fence the new one);
 * - commits for partitions no longer owned: offsets are resolved only after a
 *   batch is durable and never when the batch is stale or fenced; Redis keeps
 *   its own offsets, so a wrong Kafka commit could only cause reprocessing,
 *   which is recognised and skipped;
 * - duplicates from parallel work inside eachBatch: a batch is processed as one
 *   unit with no per-message promises; partitions run concurrently, but the
 *   batches of one partition never overlap.
 */

import type { StoredModel } from "@adclick/db/queries";
import {
  type BlocklistEntry,
  type ClickScorer,
  type Config,
  DAY_TTL_AFTER_END_S,
  dayStartMs,
  groupName,
  topicName,
} from "@adclick/shared";
import { createRedisClient, type RedisClient } from "@adclick/shared/redis";
import { type EachBatchPayload, type Kafka, PartitionAssigners } from "kafkajs";
import type { Registry } from "prom-client";
import { ModelSource } from "../fraud/model-source";
import { createKafka } from "../kafka/client";
import { ConsumerGroup, type Membership } from "../kafka/consumer-group";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { START_TIMEOUT_MS, withStartBackoff } from "../kafka/start-backoff";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { AggregateStore } from "./aggregate-store";
import { BatchProcessor, type PhaseTimings } from "./batch-processor";
import { BlocklistSource } from "./blocklist-source";
import type { ScoredClick } from "./counter-deltas";
import { FENCING_ASSIGNER, fencingAssigner } from "./fencing-assigner";
import { createAggregatorMetrics } from "./metrics";
import { describeUnfinished, readReplayRecord } from "./replay-record";
import { VerdictProducer } from "./verdict-producer";

export interface AggregatorOptions {
  config: Config;
  logger: Logger;
  registry: Registry;
  /** Reads the active blocklist (from Postgres in production). */
  loadBlocklist: () => Promise<BlocklistEntry[]>;
  blocklistRefreshMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Fault injection (`--test-flush-delay-ms`): pause before every flush, to widen race windows. */
  flushDelayMs?: number;
  /** A fixed trained model (tests and the bench); otherwise `loadModel` supplies the active one. */
  model?: ClickScorer;
  /** Reads the active fraud model (from Postgres in production), re-read every `modelRefreshMs`. */
  loadModel?: () => Promise<Pick<StoredModel, "version" | "params"> | null>;
  modelRefreshMs?: number;
  /** Skip producing flagged/fraud clicks (the counters-only bench). */
  produceVerdicts?: boolean;
  onFlushed?: (clicks: readonly ScoredClick[], nowMs: number) => void;
  onClose?: () => Promise<void>;
  /** Called on every consumer group join (the bench times from the first). */
  onJoined?: () => void;
}

/** Start of the oldest day whose day key still lives, less an hour of clock slack: where a rebuild reads from. */
export function rebuildHorizonMs(nowMs: number): number {
  return dayStartMs(nowMs - DAY_TTL_AFTER_END_S * 1000) - 3_600_000;
}

export function createAggregatorComponent(options: AggregatorOptions): Component {
  return new Aggregator(options);
}

export class Aggregator implements Component {
  readonly name = "aggregator";
  private readonly logger: Logger;
  private readonly topic: string;
  private readonly groupId: string;
  private kafka: Kafka;
  private redis: RedisClient | null = null;
  private group: ConsumerGroup | null = null;
  private producer: VerdictProducer | null = null;
  private blocklist: BlocklistSource;
  private readonly models: ModelSource | null;
  private processor: BatchProcessor | null = null;
  private epoch: Promise<number> = Promise.resolve(0);
  private stopping = false;
  private readonly locks = new Map<number, Promise<void>>();
  private readonly fenced = new Set<number>();
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly metrics;

  constructor(private readonly o: AggregatorOptions) {
    this.logger = o.logger.child({ component: "aggregator" });
    this.topic = topicName(o.config.KAFKA_TOPIC_PREFIX, "raw");
    this.groupId = groupName(o.config.KAFKA_TOPIC_PREFIX, "aggregator");
    registerLz4Codec();
    this.kafka = createKafka(o.config, "adclick-aggregator", this.logger);
    this.blocklist = new BlocklistSource(
      o.loadBlocklist,
      this.logger,
      o.blocklistRefreshMs ?? 10_000,
    );
    this.metrics = createAggregatorMetrics(o.registry);
    this.models = o.loadModel
      ? new ModelSource(o.loadModel, this.logger, o.modelRefreshMs ?? 10_000, (v) =>
          this.metrics.modelVersion.set(v ?? 0),
        )
      : null;
  }

  async start(): Promise<void> {
    const { config } = this.o;
    this.redis = createRedisClient(config, {
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
    });
    const store = new AggregateStore(this.redis, this.topic);
    const replay = await readReplayRecord(this.redis, this.topic);
    if (replay?.state === "running")
      throw new Error(
        `${describeUnfinished(replay)}: the counters have a hole; run \`adclick replay --from ${new Date(replay.fromMs).toISOString()}\` to finish it first`,
      );
    await this.blocklist.start();
    await this.models?.start();
    if (this.o.produceVerdicts !== false) {
      const producer = new VerdictProducer(this.kafka, this.logger);
      this.producer = producer;
      await withStartBackoff("the Kafka brokers", () => producer.connect(), {
        logger: this.logger,
        timeoutMs: START_TIMEOUT_MS,
      });
    }
    this.processor = new BatchProcessor({
      store,
      producer: this.producer,
      flaggedTopic: topicName(config.KAFKA_TOPIC_PREFIX, "flagged"),
      fraudTopic: topicName(config.KAFKA_TOPIC_PREFIX, "fraud"),
      blocklist: this.blocklist,
      model: this.models ?? this.o.model,
      metrics: this.metrics,
      logger: this.logger,
      horizonOffset: (p) => this.horizonOffset(p),
      committedOffset: (p) => this.committedOffset(p),
      detectRedisLoss: true,
      flushDelayMs: this.o.flushDelayMs,
      onFlushed: this.o.onFlushed,
    });

    const sessionTimeout = this.o.sessionTimeoutMs ?? 30_000;
    this.group = new ConsumerGroup({
      kafka: this.kafka,
      config,
      logger: this.logger,
      groupId: this.groupId,
      topics: ["raw"],
      alsoCreate: ["flagged", "fraud"],
      consumer: {
        sessionTimeout,
        heartbeatInterval:
          this.o.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 5)),
        rebalanceTimeout: Math.max(sessionTimeout, 10_000),
        // Large fetches (a batch is folded and flushed as one unit: Redis work per batch is
        // O(distinct keys)); a short max wait keeps click-to-counter latency low.
        maxWaitTimeInMs: 100,
        maxBytesPerPartition: 8 * 1024 * 1024,
        maxBytes: 64 * 1024 * 1024,
        partitionAssigners: [fencingAssigner(store, this.groupId), PartitionAssigners.roundRobin],
      },
      run: {
        // Redis keeps the counters' own offsets: Kafka's commit only bounds reprocessing.
        autoCommit: true,
        autoCommitInterval: 1000,
        // Partitions are independent (own offsets, own campaigns): their Redis round trips
        // overlap; batches of one partition stay strictly ordered (kafkajs + our lock).
        partitionsConsumedConcurrently: Math.max(1, Math.min(8, config.KAFKA_TOPIC_PARTITIONS)),
      },
      onJoin: (membership) => this.onJoin(store, membership),
      eachBatch: (payload) =>
        this.withPartitionLock(payload.batch.partition, () => this.eachBatch(payload)),
    });
    await this.group.start();
    this.lagTimer = setInterval(() => this.updateEventTimeLag(), 1000);
    this.lagTimer.unref();
  }

  /** Milliseconds per processing phase so far (decode, features, score, flush…). */
  get timings(): PhaseTimings | null {
    return this.processor?.timings ?? null;
  }

  ready(): boolean {
    return (this.group?.ready() ?? false) && !this.stopping;
  }

  /**
   * A new generation: its fencing epoch (claimed by its leader; one of our own if none was
   * recorded, e.g. under a plain round-robin group during a rolling upgrade), and forget
   * what we knew of partitions.
   */
  private onJoin(store: AggregateStore, membership: Membership): void {
    this.epoch =
      membership.protocol === FENCING_ASSIGNER
        ? store
            .memberEpoch(this.groupId, membership.memberId)
            .then((e) => e ?? store.nextEpoch(this.groupId))
        : store.nextEpoch(this.groupId);
    this.epoch.catch(() => undefined);
    this.processor?.resetPartitions();
    this.fenced.clear();
    const owned = new Set(membership.assignment[this.topic] ?? []);
    for (const p of [...this.processor!.ownedWatermarks().keys()])
      if (!owned.has(p)) this.processor!.dropPartition(p);
    this.metrics.lag.reset();
    this.metrics.lagSeconds.reset();
    this.o.onJoined?.();
    this.logger.info({ assignment: [...owned] }, "aggregator partitions assigned");
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    // Disconnecting lets the running batch finish (it flushes and resolves), commits, and leaves the group.
    await this.group?.stop();
    await this.producer?.disconnect();
    this.blocklist.stop();
    this.models?.stop();
    await this.redis?.quit().catch(() => undefined);
    await this.o.onClose?.();
  }

  private async eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    // The group drops empty and stale batches; one may go stale while it waited for the lock.
    if (!isRunning() || isStale() || this.fenced.has(partition)) return;
    const stop = this.metrics.batchSeconds.startTimer();
    const epoch = await this.epoch;
    const outcome = await this.processor!.process(partition, batch.messages, epoch, isStale);
    if (outcome.kind === "rebuild") {
      this.group!.seek(this.topic, partition, String(outcome.offset));
      return;
    }
    if (outcome.kind === "fenced") {
      this.fenced.add(partition);
      await heartbeat(); // learns of the rebalance and rejoins
      return;
    }
    if (outcome.kind === "abandoned") return;
    resolveOffset(batch.lastOffset());
    const labels = { topic: this.topic, partition: String(partition) };
    const behind = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
    this.metrics.lag.set(labels, behind);
    this.metrics.lagSeconds.set(
      labels,
      consumerLagSeconds(behind, batch.messages.at(-1)?.timestamp, Date.now()),
    );
    stop();
    await commitOffsetsIfNecessary();
    await heartbeat();
  }

  private async withPartitionLock(partition: number, fn: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(partition) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(partition, tail);
    try {
      await run;
    } finally {
      if (this.locks.get(partition) === tail) this.locks.delete(partition);
    }
  }

  private async horizonOffset(partition: number): Promise<number> {
    const admin = this.group!.adminClient;
    const byTime = await admin.fetchTopicOffsetsByTimestamp(
      this.topic,
      rebuildHorizonMs(Date.now()),
    );
    const entry = byTime.find((e) => e.partition === partition);
    if (entry && Number(entry.offset) >= 0) return Number(entry.offset);
    const ends = await admin.fetchTopicOffsets(this.topic);
    return Number(ends.find((e) => e.partition === partition)?.high ?? 0);
  }

  /** The group's committed offset of a partition (-1: none yet). */
  private async committedOffset(partition: number): Promise<number> {
    const [entry] = await this.group!.adminClient.fetchOffsets({
      groupId: this.groupId,
      topics: [this.topic],
    });
    const offset = entry?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined ? -1 : Number(offset);
  }

  private updateEventTimeLag(): void {
    const marks = [...(this.processor?.ownedWatermarks().values() ?? [])];
    if (marks.length)
      this.metrics.eventTimeLag.set(Math.max(0, (Date.now() - Math.min(...marks)) / 1000));
  }
}

/**
 * Consumer lag in time: while messages remain behind the last processed one,
 * the next one has waited at least since the last one's Kafka timestamp.
 */
export function consumerLagSeconds(
  behind: number,
  lastTimestampMs: string | undefined,
  nowMs: number,
): number {
  if (behind <= 0 || lastTimestampMs === undefined) return 0;
  const ts = Number(lastTimestampMs);
  return Number.isFinite(ts) ? Math.max(0, (nowMs - ts) / 1000) : 0;
}
