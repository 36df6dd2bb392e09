import { type Config, groupName, topicName } from "@adclick/shared";
import { type Admin, type Consumer, type EachBatchPayload, Kafka, logLevel } from "kafkajs";
import { Counter, Histogram, type Registry } from "prom-client";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { ensureTopics } from "../kafka/topics";
import { type LakeDataset, pendingKey, pendingPrefix, segmentFileKey } from "../lake/lake-layout";
import type { LakeStore } from "../lake/lake-store";
import { SegmentWriter } from "../lake/segment-writer";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";

export interface ArchiverOptions {
  config: Config;
  lake: LakeStore;
  logger: Logger;
  registry: Registry;
  /** Roll a partition's open segment at this many events (default 250 000). */
  maxSegmentEvents?: number;
  /** …or at this many bytes of JSON consumed (default 128 MiB). */
  maxSegmentBytes?: number;
  /** …or when it has been open this long (default 10 minutes; C4 asks for at least hourly). */
  maxSegmentAgeMs?: number;
}

/** The events of one Kafka partition consumed since its last committed offset. */
interface Segment {
  topic: string;
  dataset: LakeDataset;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  /** Message values as consumed (JSON clicks); parsed and encoded once, at flush, by DuckDB. */
  values: (Buffer | null)[];
  bytes: number;
  openedAt: number;
}

/** What a segment is about to write, stored before its files so a crash can be undone. */
interface PendingSegment {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
  files: string[];
}

/**
 * The archiver (`adclick archive`): consumes `clicks.raw` and the fraud stream
 * and writes them to the lake as Parquet, one file per event-time hour of each
 * rolled segment (C4).
 *
 * Exactly once: a segment is a contiguous offset range of one partition that
 * starts at the partition's committed offset. Before writing its files the
 * archiver stores an intent record `_pending/<dataset>/pNNNN/<first>.json`
 * listing them; it commits `last + 1` only after every file is durable, then
 * removes the record. When a partition is assigned, any intent record whose
 * first offset is at or past the committed offset names files whose events will
 * be consumed again, so those files are deleted before consuming; records below
 * it are leftovers of a commit that succeeded and are just removed. A crash at
 * any point therefore leaves each event in exactly one file.
 */
export class Archiver implements Component {
  readonly name = "archiver";
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  private admin: Admin | null = null;
  private readonly segments = new Map<string, Segment>();
  /** Partitions whose leftovers were cleaned since the last (re)assignment. */
  private readonly recovered = new Set<string>();
  /**
   * Per partition, the committed offset as of its assignment, moved on by each commit:
   * messages below it are in the lake already and are never written again, whatever
   * position a rewind (ours, or one kafkajs kept across a rebalance) fetches from.
   */
  private readonly committed = new Map<string, bigint>();
  private readonly datasetOf = new Map<string, LakeDataset>();
  private readonly groupId: string;
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping = false;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly metrics: ReturnType<typeof archiverMetrics>;
  private readonly writer: SegmentWriter;

  constructor(private readonly opts: ArchiverOptions) {
    registerLz4Codec();
    const { config } = opts;
    this.kafka = new Kafka({
      clientId: "adclick-archiver",
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    });
    this.groupId = groupName(config.KAFKA_TOPIC_PREFIX, "archiver");
    this.datasetOf.set(topicName(config.KAFKA_TOPIC_PREFIX, "raw"), "raw");
    this.datasetOf.set(topicName(config.KAFKA_TOPIC_PREFIX, "fraud"), "fraud");
    this.maxEvents = opts.maxSegmentEvents ?? 250_000;
    this.maxBytes = opts.maxSegmentBytes ?? 128 * 1024 * 1024;
    this.maxAgeMs = opts.maxSegmentAgeMs ?? 10 * 60_000;
    this.metrics = archiverMetrics(opts.registry);
    this.writer = new SegmentWriter();
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const topics = await ensureTopics(this.admin, config, ["raw", "fraud"]);
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      logger.info({ memberAssignment: payload.memberAssignment }, "archiver partitions assigned");
      // Uncommitted segments belong to the old assignment: Kafka redelivers them from the committed offsets.
      this.enqueue(async () => {
        this.segments.clear();
        this.recovered.clear();
        this.committed.clear();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: payload.error, restart: payload.restart }, "archiver consumer crashed");
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.enqueue(() => this.onBatch(payload)),
    });
    this.running = true;
    const tick = Math.max(50, Math.min(this.maxAgeMs / 4, 30_000));
    this.timer = setInterval(() => {
      this.enqueue(() => this.flushWhere((s) => Date.now() - s.openedAt >= this.maxAgeMs)).catch(
        (err) => logger.error({ err }, "archiver timed roll failed"),
      );
    }, tick);
    this.timer.unref();
  }

  ready(): boolean {
    return this.running && !this.stopping;
  }

  /** Writes every open segment and commits its offsets, then leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.enqueue(() => this.flushWhere(() => true));
    } finally {
      this.running = false;
      await this.consumer?.disconnect().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
      await this.writer.close();
    }
  }

  /** Serialises batches, timed rolls and shutdown: one segment operation at a time. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async onBatch({
    batch,
    heartbeat,
    isRunning,
    isStale,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    // Once stopping, take nothing new: what is not in a segment is not committed and comes back next start.
    if (this.stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
    const key = `${batch.topic}:${batch.partition}`;
    const dataset = this.datasetOf.get(batch.topic);
    if (!dataset) return;
    if (!this.recovered.has(key)) {
      this.committed.set(key, await this.recoverPartition(batch.topic, dataset, batch.partition));
      this.recovered.add(key);
    }
    const committed = this.committed.get(key) ?? 0n;
    let segment = this.segments.get(key);
    for (const message of batch.messages) {
      if (!segment && BigInt(message.offset) < committed) {
        resolveOffset(message.offset);
        continue;
      }
      if (!segment) {
        segment = {
          topic: batch.topic,
          dataset,
          partition: batch.partition,
          firstOffset: message.offset,
          lastOffset: message.offset,
          values: [],
          bytes: 0,
          openedAt: Date.now(),
        };
        this.segments.set(key, segment);
      }
      segment.lastOffset = message.offset;
      segment.values.push(message.value);
      segment.bytes += message.value?.length ?? 0;
      // Only moves the fetch position; offsets are committed by flush() once the files are durable.
      resolveOffset(message.offset);
      if (segment.values.length >= this.maxEvents || segment.bytes >= this.maxBytes) {
        await this.flush(segment);
        await heartbeat();
        segment = undefined;
      }
    }
  }

  private async flushWhere(predicate: (s: Segment) => boolean): Promise<void> {
    for (const segment of [...this.segments.values()]) {
      if (predicate(segment)) await this.flush(segment);
    }
  }

  /** Writes one segment's files, commits its offsets, and forgets it. */
  private async flush(segment: Segment): Promise<void> {
    const key = `${segment.topic}:${segment.partition}`;
    this.segments.delete(key);
    try {
      await this.write(segment);
    } catch (err) {
      // The fetch position is already past this segment: go back to its first offset so its
      // events are consumed again, and tidy its intent record before the next segment.
      this.recovered.delete(key);
      try {
        this.consumer?.seek({
          topic: segment.topic,
          partition: segment.partition,
          offset: segment.firstOffset,
        });
      } catch (seekErr) {
        this.opts.logger.warn(
          { err: seekErr, topic: segment.topic, partition: segment.partition },
          "could not rewind after a failed segment; the partition's next owner reads it again",
        );
      }
      this.metrics.failedFlushes.inc({ dataset: segment.dataset });
      throw err;
    }
  }

  private async write(segment: Segment): Promise<void> {
    const { lake, logger } = this.opts;
    const started = performance.now();
    const encoded = await this.writer.encode(segment.values, {
      fraud: segment.dataset === "fraud",
    });
    if (encoded.malformed) {
      this.metrics.malformed.inc({ dataset: segment.dataset }, encoded.malformed);
      logger.warn(
        { topic: segment.topic, partition: segment.partition, count: encoded.malformed },
        "skipped messages that are not JSON clicks",
      );
    }
    const files = encoded.files.map((file) => ({
      key: segmentFileKey(
        segment.dataset,
        file.hourStartMs,
        segment.partition,
        segment.firstOffset,
        segment.lastOffset,
      ),
      body: file.body,
    }));
    const pending: PendingSegment = {
      topic: segment.topic,
      partition: segment.partition,
      firstOffset: segment.firstOffset,
      lastOffset: segment.lastOffset,
      files: files.map((f) => f.key),
    };
    const intentKey = pendingKey(segment.dataset, segment.partition, segment.firstOffset);
    await lake.put(intentKey, Buffer.from(JSON.stringify(pending)));
    let bytes = 0;
    for (const file of files) {
      bytes += file.body.byteLength;
      await lake.put(file.key, file.body);
    }
    try {
      await this.consumer!.commitOffsets([
        {
          topic: segment.topic,
          partition: segment.partition,
          offset: (BigInt(segment.lastOffset) + 1n).toString(),
        },
      ]);
      this.committed.set(`${segment.topic}:${segment.partition}`, BigInt(segment.lastOffset) + 1n);
    } catch (err) {
      // Not committed (a rebalance took the partition): undo, the new owner rewrites these events.
      logger.warn(
        { err, topic: segment.topic, partition: segment.partition },
        "commit failed; removing the segment's files",
      );
      await Promise.all(pending.files.map((f) => lake.delete(f).catch(() => undefined)));
      await lake.delete(intentKey).catch(() => undefined);
      throw err;
    }
    await lake
      .delete(intentKey)
      .catch((err) =>
        logger.warn({ err, intentKey }, "could not remove a committed intent record"),
      );
    this.metrics.events.inc({ dataset: segment.dataset }, encoded.events);
    this.metrics.files.inc({ dataset: segment.dataset }, files.length);
    this.metrics.bytes.inc({ dataset: segment.dataset }, bytes);
    this.metrics.flushSeconds.observe((performance.now() - started) / 1000);
    logger.debug(
      {
        dataset: segment.dataset,
        partition: segment.partition,
        first: segment.firstOffset,
        last: segment.lastOffset,
        files: files.length,
      },
      "segment archived",
    );
  }

  /**
   * Removes the files of segments that were written but never committed (see the
   * class comment); returns the partition's committed offset.
   */
  private async recoverPartition(
    topic: string,
    dataset: LakeDataset,
    partition: number,
  ): Promise<bigint> {
    const { lake, logger } = this.opts;
    const offsets = await this.admin!.fetchOffsets({ groupId: this.groupId, topics: [topic] });
    const committedText =
      offsets[0]?.partitions.find((p) => p.partition === partition)?.offset ?? "-1";
    const committed = BigInt(committedText) < 0n ? 0n : BigInt(committedText);
    const intents = await lake.list(pendingPrefix(dataset, partition));
    for (const intentKey of intents) {
      const pending = JSON.parse(
        Buffer.from(await lake.get(intentKey)).toString("utf8"),
      ) as PendingSegment;
      if (BigInt(pending.firstOffset) >= committed) {
        await Promise.all(pending.files.map((f) => lake.delete(f)));
        this.metrics.undone.inc({ dataset });
        logger.warn(
          {
            dataset,
            partition,
            first: pending.firstOffset,
            last: pending.lastOffset,
            files: pending.files.length,
          },
          "removed files of an uncommitted segment; its events are consumed again",
        );
      }
      await lake.delete(intentKey);
    }
    return committed;
  }
}

function archiverMetrics(registry: Registry) {
  const counter = (name: string, help: string) =>
    (registry.getSingleMetric(name) as Counter<"dataset"> | undefined) ??
    new Counter({ name, help, labelNames: ["dataset"], registers: [registry] });
  return {
    events: counter("adclick_archiver_events_total", "Events written to the lake and committed"),
    files: counter("adclick_archiver_files_total", "Parquet files written to the lake"),
    bytes: counter("adclick_archiver_bytes_total", "Parquet bytes written to the lake"),
    malformed: counter(
      "adclick_archiver_malformed_total",
      "Messages skipped because they are not JSON clicks",
    ),
    undone: counter(
      "adclick_archiver_reprocessed_segments_total",
      "Uncommitted segments removed at assignment and consumed again",
    ),
    failedFlushes: counter(
      "adclick_archiver_failed_segments_total",
      "Segments whose write or commit failed; their events are consumed again",
    ),
    flushSeconds:
      (registry.getSingleMetric("adclick_archiver_flush_seconds") as Histogram | undefined) ??
      new Histogram({
        name: "adclick_archiver_flush_seconds",
        help: "Time to write and commit one segment",
        registers: [registry],
      }),
  };
}
