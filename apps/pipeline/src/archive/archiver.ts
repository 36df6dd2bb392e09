import { randomBytes } from "node:crypto";
import { type Config, groupName, topicName } from "@adclick/shared";
import type { EachBatchPayload, Kafka } from "kafkajs";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { ConsumerGroup, type Membership } from "../kafka/consumer-group";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { type LakeDataset, pendingPrefix } from "../lake/lake-layout";
import type { LakeStore } from "../lake/lake-store";
import { SegmentWriter } from "../lake/segment-writer";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { clickIdentity, SeenWindow } from "./seen-window";
import {
  commitMetadata,
  isCommitted,
  PendingSegment,
  writerFileKey,
  writerPendingKey,
} from "./segment-intent";

/** The segment a fault is injected into. */
export interface SegmentRef {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

/**
 * The archiver's fault-injection interface, for tests that must hit an exact
 * step no outside fault reaches reliably. Production passes none.
 */
export interface ArchiverFaults {
  /**
   * Wraps the offset commit of each segment: call `commit()` or not, then
   * resolve or throw. Calling it and then throwing is a commit the broker
   * applied whose response was lost; throwing without calling it is a refused
   * commit; awaiting before calling it is a writer stalled at its commit.
   */
  aroundCommit?(segment: SegmentRef, commit: () => Promise<void>): Promise<void>;
}

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
  /** Kafka consumer session timeout (default 10 s). */
  sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin in a rebalance (default kafkajs's 60 s). */
  rebalanceTimeoutMs?: number;
  /** A shared client from the process's composition root; one of its own otherwise. */
  kafka?: Kafka;
  faults?: ArchiverFaults;
  /**
   * Offsets of each partition whose (partner_id, event_id) pairs are remembered to
   * drop a second copy of a click (default 100 000: the ingest's 180 s pending-claim
   * TTL at over 500 clicks/s per partition). Primed at each assignment by reading
   * that many offsets before the committed one again.
   */
  dedupeWindow?: number;
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
  /** Pairs of the segment's values with their offsets, in offset order: a copy within the segment is dropped. */
  identities: Map<string, number>;
  openedAt: number;
  /** The group membership it was consumed under: it is written and committed under that one only. */
  membership: Membership;
}

/**
 * The archiver (`adclick archive`): consumes `clicks.raw` and the fraud stream
 * and writes them to the lake as Parquet, one file per event-time hour of each
 * rolled segment (C4).
 *
 * Exactly once: a segment is a contiguous offset range of one partition that
 * starts at the partition's committed offset, consumed under one group
 * membership and given its own writer id. Before writing its files the
 * archiver stores an intent record listing them; it commits `last + 1` with the
 * writer id as the commit's metadata only after every file is durable, and
 * removes the record once the broker is seen to hold that commit.
 *
 * A failed, refused or ambiguous commit deletes nothing: the record stays and
 * the partition is recovered before anything else is written to it. Recovery
 * (at each assignment, and after a failed segment) reads the committed offset
 * and its metadata: the record that offset completes and names is committed
 * (its files stay); every other record is superseded (its files go, its events
 * are consumed again). Names carry the writer id, so a zombie's files and the
 * new owner's never collide. Work under an ended membership (a timed roll after
 * a rebalance, a process paused past its session timeout) writes nothing.
 *
 * Each click once: a message whose (partner_id, event_id) pair this partition
 * already holds in the lake within the last `dedupeWindow` offsets, or earlier
 * in the same segment, is dropped (a duplicate that entered Kafka: an ingest
 * retry after its kill -9 or a Redis loss, clicks.fraud produced again by the
 * aggregator). The window is primed at assignment by re-reading the offsets
 * before the committed one, and kept across rebalances while the committed
 * offset is still the one it was complete up to (see `SeenWindow`).
 */
export class Archiver implements Component {
  readonly name = "archiver";
  private readonly group: ConsumerGroup;
  private readonly segments = new Map<string, Segment>();
  /** Partitions recovered since the last (re)assignment or failed segment. */
  private readonly recovered = new Set<string>();
  /**
   * Per partition, the committed offset as of its recovery, moved on by each commit:
   * messages below it are in the lake already and are never written again, whatever
   * position a rewind (ours, or one kafkajs kept across a rebalance) fetches from,
   * and a segment starts exactly there.
   */
  private readonly committed = new Map<string, bigint>();
  /** Records of committed segments whose removal failed: removed before the partition's next segment. */
  private readonly lingering = new Map<string, string>();
  private readonly datasetOf = new Map<string, LakeDataset>();
  /** Partitions sent back once to their committed offset since their last segment. */
  private readonly gapAccepted = new Set<string>();
  /** Per partition, the pairs it holds in the lake over the dedupe window. */
  private readonly seen = new Map<string, SeenWindow>();
  /** Partitions re-reading the offsets before their committed one to fill their window. */
  private readonly priming = new Set<string>();
  private readonly dedupeWindow: number;
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly metrics: ReturnType<typeof archiverMetrics>;
  private readonly writer: SegmentWriter;

  constructor(private readonly opts: ArchiverOptions) {
    registerLz4Codec();
    const { config, logger } = opts;
    const sessionTimeout = opts.sessionTimeoutMs ?? 10_000;
    this.group = new ConsumerGroup({
      kafka: opts.kafka ?? createKafka(config, "adclick-archiver"),
      config,
      logger,
      groupId: groupName(config.KAFKA_TOPIC_PREFIX, "archiver"),
      topics: ["raw", "fraud"],
      consumer: {
        sessionTimeout,
        heartbeatInterval: Math.max(200, Math.min(2_000, Math.floor(sessionTimeout / 5))),
        ...(opts.rebalanceTimeoutMs ? { rebalanceTimeout: opts.rebalanceTimeoutMs } : {}),
      },
      onJoin: (membership) => {
        logger.info({ assignment: membership.assignment }, "archiver partitions assigned");
        // Segments of the old membership are stale: Kafka redelivers them from the committed offsets.
        this.enqueue(async () => {
          this.segments.clear();
          this.metrics.openEvents.set(0);
          this.recovered.clear();
          this.committed.clear();
          this.gapAccepted.clear();
          this.priming.clear();
          // Windows of partitions no longer ours are dropped: bounded memory.
          const ours = new Set(
            Object.entries(membership.assignment).flatMap(([topic, partitions]) =>
              partitions.map((p) => `${topic}:${p}`),
            ),
          );
          for (const key of this.seen.keys()) if (!ours.has(key)) this.seen.delete(key);
        });
      },
      eachBatch: (payload, membership) => this.enqueue(() => this.onBatch(payload, membership)),
    });
    this.datasetOf.set(topicName(config.KAFKA_TOPIC_PREFIX, "raw"), "raw");
    this.datasetOf.set(topicName(config.KAFKA_TOPIC_PREFIX, "fraud"), "fraud");
    this.maxEvents = opts.maxSegmentEvents ?? 250_000;
    this.maxBytes = opts.maxSegmentBytes ?? 128 * 1024 * 1024;
    this.maxAgeMs = opts.maxSegmentAgeMs ?? 10 * 60_000;
    this.dedupeWindow = opts.dedupeWindow ?? 100_000;
    this.metrics = archiverMetrics(opts.registry);
    this.writer = new SegmentWriter();
  }

  async start(): Promise<void> {
    const { logger } = this.opts;
    await this.group.start();
    const tick = Math.max(50, Math.min(this.maxAgeMs / 4, 30_000));
    this.timer = setInterval(() => {
      this.enqueue(() => this.flushWhere((s) => Date.now() - s.openedAt >= this.maxAgeMs)).catch(
        (err) => logger.error({ err }, "archiver timed roll failed"),
      );
    }, tick);
    this.timer.unref();
  }

  /** False once stopping, or when the consumer crashed for good. */
  ready(): boolean {
    return this.group.ready() && !this.stopping;
  }

  /** Writes every open segment and commits its offsets, then leaves the group. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    try {
      await this.enqueue(async () => {
        this.stopping = true;
        await this.flushWhere(() => true);
      });
    } finally {
      this.stopping = true;
      await this.group.stop().catch(() => undefined);
      await this.writer.close();
    }
  }

  /** Serialises batches, timed rolls and shutdown: one segment operation at a time. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async onBatch(
    { batch, heartbeat, resolveOffset }: EachBatchPayload,
    membership: Membership,
  ): Promise<void> {
    // Once stopping, take nothing new: what is not in a segment is not committed and comes back next start.
    if (this.stopping) return;
    const key = `${batch.topic}:${batch.partition}`;
    const dataset = this.datasetOf.get(batch.topic);
    if (!dataset) return;
    if (!this.recovered.has(key)) {
      const committed = await this.recoverPartition(batch.topic, dataset, batch.partition);
      this.committed.set(key, committed);
      this.recovered.add(key);
      if (await this.startPriming(batch.topic, batch.partition, committed)) return;
    }
    let segment = this.segments.get(key);
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      const committed = this.committed.get(key) ?? 0n;
      if (!segment && offset < committed) {
        if (this.priming.has(key)) {
          const identity = clickIdentity(message.value);
          if (identity !== null) this.seen.get(key)?.add(identity, Number(offset));
        } else {
          this.metrics.skipped.inc({ dataset });
        }
        resolveOffset(message.offset);
        continue;
      }
      if (this.priming.delete(key)) {
        const window = this.seen.get(key);
        if (window) window.through = committed;
      }
      if (!segment && offset > committed && !this.gapAccepted.has(key)) {
        // A segment starts at the committed offset, never after it: go back and read the gap
        // once; fetched past it again, the gap is not in Kafka any more (retention) and is accepted.
        this.gapAccepted.add(key);
        this.opts.logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            committed: String(committed),
          },
          "fetched past the committed offset; going back to it",
        );
        this.group.seek(batch.topic, batch.partition, committed.toString());
        return;
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
          identities: new Map(),
          openedAt: Date.now(),
          membership,
        };
        this.segments.set(key, segment);
      }
      segment.lastOffset = message.offset;
      const identity = clickIdentity(message.value);
      if (identity !== null) {
        if (segment.identities.has(identity) || this.seen.get(key)?.has(identity)) {
          // A second copy of a click this partition already holds: not written again.
          this.metrics.duplicates.inc({ dataset });
          resolveOffset(message.offset);
          continue;
        }
        segment.identities.set(identity, Number(offset));
      }
      segment.values.push(message.value);
      segment.bytes += message.value?.length ?? 0;
      this.metrics.openEvents.inc();
      // Only moves the fetch position; offsets are committed by flush() once the files are durable.
      resolveOffset(message.offset);
      if (segment.values.length >= this.maxEvents || segment.bytes >= this.maxBytes) {
        const segmentEnd = BigInt(segment.lastOffset);
        await this.flush(segment);
        await heartbeat();
        segment = undefined;
        // A segment given up (stale membership) sent the fetch position back: stop reading this batch.
        if ((this.committed.get(key) ?? 0n) <= segmentEnd) return;
      }
    }
  }

  private async flushWhere(predicate: (s: Segment) => boolean): Promise<void> {
    for (const segment of [...this.segments.values()]) {
      if (predicate(segment)) await this.flush(segment);
    }
  }

  /**
   * Writes one segment's files and commits its offsets, under the membership it
   * was consumed in; gives it up (writing nothing) when that membership ended.
   */
  private async flush(segment: Segment): Promise<void> {
    const key = `${segment.topic}:${segment.partition}`;
    this.segments.delete(key);
    this.metrics.openEvents.dec(segment.values.length);
    if (!(await this.group.confirmMembership(segment.membership))) {
      this.metrics.staleSegments.inc({ dataset: segment.dataset });
      this.opts.logger.info(
        {
          topic: segment.topic,
          partition: segment.partition,
          first: segment.firstOffset,
          last: segment.lastOffset,
        },
        "segment of an ended group membership given up unwritten; its events are consumed again",
      );
      this.rewind(segment);
      return;
    }
    try {
      await this.write(segment);
    } catch (err) {
      this.rewind(segment);
      this.metrics.failedFlushes.inc({ dataset: segment.dataset });
      throw err;
    }
  }

  /** Sends the partition back to the segment's first offset and recovers it before its next segment. */
  private rewind(segment: Segment): void {
    this.recovered.delete(`${segment.topic}:${segment.partition}`);
    this.group.seek(segment.topic, segment.partition, segment.firstOffset);
  }

  private async write(segment: Segment): Promise<void> {
    const { lake, logger } = this.opts;
    const key = `${segment.topic}:${segment.partition}`;
    const started = performance.now();
    const leftover = this.lingering.get(key);
    if (leftover) {
      await lake.delete(leftover);
      this.lingering.delete(key);
    }
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
    const writer = `g${segment.membership.generation}-${randomBytes(4).toString("hex")}`;
    const files = encoded.files.map((file) => ({
      key: writerFileKey(
        segment.dataset,
        file.hourStartMs,
        segment.partition,
        segment.firstOffset,
        segment.lastOffset,
        writer,
      ),
      body: file.body,
    }));
    const pending: PendingSegment = {
      topic: segment.topic,
      partition: segment.partition,
      firstOffset: segment.firstOffset,
      lastOffset: segment.lastOffset,
      writer,
      files: files.map((f) => f.key),
    };
    const intentKey = writerPendingKey(
      segment.dataset,
      segment.partition,
      segment.firstOffset,
      writer,
    );
    await lake.put(intentKey, Buffer.from(JSON.stringify(pending)));
    let bytes = 0;
    for (const file of files) {
      // A writer that has lost its membership (paused past its session) stops writing at once.
      if (!(await this.group.confirmMembership(segment.membership))) {
        throw new Error("the group membership ended while the segment was being written");
      }
      bytes += file.body.byteLength;
      await lake.put(file.key, file.body);
    }
    const next = BigInt(segment.lastOffset) + 1n;
    const commit = () =>
      this.group.commit(segment.membership, [
        {
          topic: segment.topic,
          partition: segment.partition,
          offset: next.toString(),
          metadata: commitMetadata(writer),
        },
      ]);
    try {
      const aroundCommit = this.opts.faults?.aroundCommit;
      await (aroundCommit ? aroundCommit(segment, commit) : commit());
    } catch (err) {
      // The broker may hold this commit (a lost response) or not: delete nothing, the record
      // stays and recovery decides by the committed offset before this partition goes on.
      logger.warn(
        { err, topic: segment.topic, partition: segment.partition, writer },
        "segment commit not confirmed; the partition is recovered before its next segment",
      );
      throw err;
    }
    this.committed.set(key, next);
    this.gapAccepted.delete(key);
    this.remember(key, segment, next);
    await lake.delete(intentKey).catch((err) => {
      this.lingering.set(key, intentKey);
      logger.warn(
        { err, intentKey },
        "could not remove a committed intent record; retried before the next segment",
      );
    });
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
        writer,
      },
      "segment archived",
    );
  }

  /**
   * Makes sure the partition's dedupe window is complete up to `committed`: kept
   * when it already is, otherwise started over and filled by sending the fetch
   * position back `dedupeWindow` offsets (never below the log start); true when
   * it did, and the batch in hand is dropped.
   */
  private async startPriming(
    topic: string,
    partition: number,
    committed: bigint,
  ): Promise<boolean> {
    const key = `${topic}:${partition}`;
    if (this.seen.get(key)?.through === committed) return false;
    const offsets = await this.group.adminClient.fetchTopicOffsets(topic);
    const low = BigInt(offsets.find((o) => o.partition === partition)?.low ?? "0");
    let from = committed - BigInt(this.dedupeWindow);
    if (from < low) from = low;
    const window = new SeenWindow(this.dedupeWindow, from);
    this.seen.set(key, window);
    if (from >= committed) {
      window.through = committed;
      return false;
    }
    if (!this.group.seek(topic, partition, from.toString())) return false;
    this.priming.add(key);
    this.opts.logger.debug(
      { topic, partition, from: String(from), committed: String(committed) },
      "re-reading offsets before the committed one to prime the dedupe window",
    );
    return true;
  }

  /** A committed segment's pairs join its partition's window, now complete up to `next`. */
  private remember(key: string, segment: Segment, next: bigint): void {
    let window = this.seen.get(key);
    if (!window) {
      window = new SeenWindow(this.dedupeWindow, next);
      this.seen.set(key, window);
    }
    for (const [identity, offset] of segment.identities) window.add(identity, offset);
    window.through = next;
  }

  /**
   * Settles every intent record of a partition by its committed offset (see the
   * class comment) and returns that offset.
   */
  private async recoverPartition(
    topic: string,
    dataset: LakeDataset,
    partition: number,
  ): Promise<bigint> {
    const { lake, logger } = this.opts;
    const held = (await this.group.committed(topic)).get(partition) ?? {
      offset: null,
      metadata: null,
    };
    for (const intentKey of await lake.list(pendingPrefix(dataset, partition))) {
      const pending = PendingSegment.parse(
        JSON.parse(Buffer.from(await lake.get(intentKey)).toString("utf8")),
      );
      if (!isCommitted(pending, held)) {
        await Promise.all(pending.files.map((f) => lake.delete(f)));
        this.metrics.undone.inc({ dataset });
        logger.warn(
          {
            dataset,
            partition,
            first: pending.firstOffset,
            last: pending.lastOffset,
            writer: pending.writer,
            files: pending.files.length,
          },
          "removed files of a segment the committed offset does not cover; its events are consumed again",
        );
      }
      await lake.delete(intentKey);
      if (this.lingering.get(`${topic}:${partition}`) === intentKey)
        this.lingering.delete(`${topic}:${partition}`);
    }
    return held.offset ?? 0n;
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
      "Segments the committed offset does not cover, removed at recovery and consumed again",
    ),
    failedFlushes: counter(
      "adclick_archiver_failed_segments_total",
      "Segments whose write failed or whose commit was not confirmed; recovered and consumed again",
    ),
    skipped: counter(
      "adclick_archiver_skipped_committed_total",
      "Messages fetched again below the committed offset (a rewind) and not written again",
    ),
    duplicates: counter(
      "adclick_archiver_duplicates_total",
      "Messages dropped because their partition already holds their (partner_id, event_id) in the lake",
    ),
    staleSegments: counter(
      "adclick_archiver_stale_segments_total",
      "Open segments given up unwritten because their group membership ended",
    ),
    openEvents:
      (registry.getSingleMetric("adclick_archiver_open_events") as Gauge | undefined) ??
      new Gauge({
        name: "adclick_archiver_open_events",
        help: "Events held in open segments, not yet in the lake",
        registers: [registry],
      }),
    flushSeconds:
      (registry.getSingleMetric("adclick_archiver_flush_seconds") as Histogram | undefined) ??
      new Histogram({
        name: "adclick_archiver_flush_seconds",
        help: "Time to write and commit one segment",
        registers: [registry],
      }),
  };
}
