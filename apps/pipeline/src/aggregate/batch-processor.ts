import {
  BehaviourTracker,
  type ClickFeatures,
  type ClickScorer,
  DAY_MS,
  ModelScorer,
  type ScoringContext,
  scoreClick,
  WINDOW_MS,
  windowStartMs,
} from "@adclick/shared";
import type { IHeaders, ProducerBatch } from "kafkajs";
import { REQUEST_ID_HEADER, requestIdOf } from "../kafka/request-id";
import type { Logger } from "../runtime/logger";
import {
  type AggregateStore,
  type PartitionState,
  type Positioned,
  type SeenWrite,
  seenField,
} from "./aggregate-store";
import type { BlocklistSource } from "./blocklist-source";
import {
  type CampaignDelta,
  campaignDelta,
  dayExpireAtS,
  type ScoredClick,
} from "./counter-deltas";
import { decodeClicks } from "./decode-click";
import type { AggregatorMetrics } from "./metrics";

export interface RawMessage {
  offset: string;
  value: Buffer | null;
  headers?: IHeaders;
}

/** Something holding the model to score the next batch with (see ModelSource). */
export interface ModelHolder {
  readonly current: ClickScorer | undefined;
}

function currentModel(m: ClickScorer | ModelHolder | undefined): ClickScorer | undefined {
  if (!m) return undefined;
  return "score" in m ? m : m.current;
}

export type BatchOutcome =
  | { kind: "done" }
  /** A newer owner wrote: this process lost the partition; do not commit. */
  | { kind: "fenced" }
  /** Redis lost this partition's counters (all or part): seek to `offset` and rebuild. */
  | { kind: "rebuild"; offset: number }
  /** The batch went stale (rebalance or seek) before it was flushed. */
  | { kind: "abandoned" };

export interface BatchProcessorOptions {
  store: AggregateStore;
  /** Producer for clicks.flagged and the fraud topic (a `VerdictProducer`); null to skip (bench of counters only). */
  producer: { sendBatch(batch: ProducerBatch): Promise<unknown> } | null;
  flaggedTopic: string;
  fraudTopic: string;
  blocklist: BlocklistSource;
  /** A fixed model, or a source whose `current` model may change between batches (hot swap). */
  model?: ClickScorer | ModelHolder;
  metrics: AggregatorMetrics;
  logger: Logger;
  /** Offset to rebuild a partition from when Redis lost it (the TTL horizon). */
  horizonOffset: (partition: number) => Promise<number>;
  /**
   * The group's committed offset of a partition in Kafka (-1: none): Redis must
   * hold the partition's counters at least up to it, or it came back older.
   */
  committedOffset?: (partition: number) => Promise<number>;
  /** Check the partition marker (live aggregator); replay sets markers itself. */
  detectRedisLoss: boolean;
  /** Ignore clicks older than this (replay rebuilds whole days from here). */
  minTsMs?: number;
  /**
   * Fault injection (tests widen race windows with it, `--test-flush-delay-ms`):
   * wait this long before each flush.
   */
  flushDelayMs?: number;
  /** Called after a batch's counters are in Redis (the bench measures latency with it). */
  onFlushed?: (clicks: readonly ScoredClick[], nowMs: number) => void;
}

/** Milliseconds spent per phase, summed over batches (the bench prints them). */
export interface PhaseTimings {
  decode: number;
  state: number;
  features: number;
  score: number;
  deltas: number;
  flush: number;
  produce: number;
  batches: number;
}
type Phase = Exclude<keyof PhaseTimings, "batches">;

/** A batch's clicks split by the duplicate rule, with their volume ranks once known. */
interface Sorted {
  /** Clicks that are not a redelivered idempotency pair, in offset order. */
  clicks: Positioned[];
  /** Whether each of `clicks` is the first copy of its pair not yet registered in `seen:`. */
  firstCopy: boolean[];
  /** Duplicates past their campaign's stored offset: not seen by an earlier flush (the metric counts these). */
  newDuplicates: number;
}

interface Applied {
  applied: ScoredClick[];
  reprocessed: number;
  expiredWindows: number;
  expiredDays: number;
}

/**
 * Turns one fetched batch of one partition into counters in Redis, in named
 * phases (each timed in `timings`):
 *
 *   decode → state → features → score → deltas → flush ∥ produce
 *
 * `state` reads the partition marker and the stored offsets of campaigns not
 * seen yet and decides a rebuild when Redis lost (or rolled back) the
 * partition; `features` finds duplicates (one round trip) and ranks the rest
 * in their per-minute IP and user volume (another); `flush` applies each
 * campaign's deltas atomically with its offset and epoch while `produce` sends
 * the flagged and fraud clicks. Keeps, per partition, the stored offset of
 * every campaign it has seen, so redelivered clicks are skipped.
 */
export class BatchProcessor {
  readonly timings: PhaseTimings = {
    decode: 0,
    state: 0,
    features: 0,
    score: 0,
    deltas: 0,
    flush: 0,
    produce: 0,
    batches: 0,
  };
  private readonly stored = new Map<number, Map<string, number | null>>();
  /** Per partition, the last offset this process flushed (or started from) in this membership. */
  private readonly flushedThrough = new Map<number, number>();
  private readonly watermarks = new Map<number, number>();
  /** What each IP and user did before (the model's behaviour features), over the clicks this process scores. */
  private readonly behaviour = new BehaviourTracker();
  private lapStart = 0;

  constructor(private readonly o: BatchProcessorOptions) {}

  /** Forget what we knew about partitions (after a rebalance the state is re-read). */
  resetPartitions(): void {
    this.stored.clear();
    this.flushedThrough.clear();
  }

  watermarkOf(partition: number): number | undefined {
    return this.watermarks.get(partition);
  }

  ownedWatermarks(): Map<number, number> {
    return this.watermarks;
  }

  dropPartition(partition: number): void {
    this.stored.delete(partition);
    this.flushedThrough.delete(partition);
    this.watermarks.delete(partition);
  }

  async process(
    partition: number,
    messages: readonly RawMessage[],
    epoch: number,
    isStale: () => boolean,
  ): Promise<BatchOutcome> {
    this.timings.batches++;
    this.lapStart = performance.now();
    const batch = this.decode(partition, messages);
    this.lap("decode");
    if (batch.length === 0) {
      await this.advanceMarker(partition, Number(messages[messages.length - 1]!.offset));
      return { kind: "done" };
    }

    const rebuild = await this.state(partition, batch, Number(messages[0]!.offset));
    this.lap("state");
    if (rebuild) return rebuild;

    const sorted = await this.duplicates(partition, batch);
    const volume = await this.o.store.volumeRanks(partition, sorted.clicks);
    this.lap("features");

    const scored = this.score(partition, sorted, volume.ipRank, volume.userRank);
    this.lap("score");

    if (this.o.flushDelayMs) await new Promise((r) => setTimeout(r, this.o.flushDelayMs));
    if (isStale()) return { kind: "abandoned" };

    const stopFlush = this.o.metrics.flushSeconds.startTimer();
    const produced = this.produce(scored.clicks, messages);
    // Awaited below on every path that completes; a flush that throws first must not leave
    // the rejection unhandled (that would kill the process instead of retrying the batch).
    produced.catch(() => undefined);
    const lastOffset = Number(messages[messages.length - 1]!.offset);
    const flushed = await this.flush(partition, epoch, scored.clicks, scored.watermark, lastOffset);
    if ("kind" in flushed) {
      await produced.catch(() => undefined);
      return flushed;
    }
    await produced;
    this.lap("produce");
    stopFlush();
    this.record(sorted, scored.late, flushed);
    return { kind: "done" };
  }

  private lap(phase: Phase): void {
    const now = performance.now();
    this.timings[phase] += now - this.lapStart;
    this.lapStart = now;
  }

  /** decode: click records with their offsets; anything else is counted and skipped. */
  private decode(partition: number, messages: readonly RawMessage[]): Positioned[] {
    const { o } = this;
    const batch: Positioned[] = [];
    const decoded = decodeClicks(messages.map((m) => m.value));
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const click = decoded[i];
      if (click) {
        if (o.minTsMs === undefined || click.ts >= o.minTsMs)
          batch.push({ click, offset: Number(m.offset) });
      } else {
        o.metrics.invalid.inc();
        o.logger.warn(
          { partition, offset: m.offset, request_id: requestIdOf(m.headers) },
          "skipping a message on clicks.raw that is not a click record",
        );
      }
    }
    return batch;
  }

  /**
   * state: the stored offsets of campaigns not seen yet, and the partition's
   * marker. A missing marker (Redis lost everything) rebuilds from the horizon;
   * a marker behind what was flushed or committed (a failover to a lagging
   * replica, an older snapshot) rebuilds from just after the marker.
   */
  private async state(
    partition: number,
    batch: readonly Positioned[],
    from: number,
  ): Promise<BatchOutcome | null> {
    const { o } = this;
    let stored = this.stored.get(partition);
    if (!stored) {
      stored = new Map();
      this.stored.set(partition, stored);
    }
    const unknown: string[] = [];
    for (const b of batch) {
      const c = b.click.campaign_id;
      if (!stored.has(c) && !unknown.includes(c)) unknown.push(c);
    }
    const state = await o.store.partitionState(partition, unknown);
    if (o.detectRedisLoss) {
      const decided = await this.detectLoss(partition, state, from);
      if (decided) return decided;
    }
    for (const [c, offset] of state.states) stored.set(c, offset);
    return null;
  }

  private async detectLoss(
    partition: number,
    state: PartitionState,
    from: number,
  ): Promise<BatchOutcome | null> {
    const { o } = this;
    if (state.pendingRebuildFrom !== null) {
      // A rebuild was decided (maybe by an owner that died before its seek was committed).
      if (from > state.pendingRebuildFrom) {
        o.logger.warn(
          { partition, offset: state.pendingRebuildFrom },
          "resuming a pending rebuild of the partition's counters",
        );
        this.stored.delete(partition);
        this.flushedThrough.delete(partition);
        return { kind: "rebuild", offset: state.pendingRebuildFrom };
      }
      await this.startAt(partition, from);
      return null;
    }
    if (!state.markerPresent) {
      const horizon = await o.horizonOffset(partition);
      if (from > horizon) return this.beginRebuild(partition, horizon, "lost");
      await this.startAt(partition, from);
      o.logger.info({ partition }, "starting the partition's counters in Redis");
      return null;
    }
    if (state.markerOffset === null) return null; // a marker of before offsets were recorded in it
    let floor = this.flushedThrough.get(partition);
    if (floor === undefined && o.committedOffset) floor = (await o.committedOffset(partition)) - 1;
    if (floor !== undefined && state.markerOffset < floor) {
      o.logger.warn(
        { partition, redisThrough: state.markerOffset, expectedThrough: floor },
        "Redis holds this partition's counters only up to an older offset (a failover to a lagging replica or an older snapshot)",
      );
      return this.beginRebuild(partition, state.markerOffset + 1, "behind");
    }
    return null;
  }

  private async startAt(partition: number, from: number): Promise<void> {
    await this.o.store.setMarker(partition, from - 1);
    this.flushedThrough.set(partition, from - 1);
  }

  /**
   * features, first half: which clicks are redeliveries of an idempotency pair
   * (partner_id, event_id) an earlier offset of this partition had (from `seen:`;
   * a rebuild re-registers originals in order), or an earlier click of this batch.
   */
  private async duplicates(partition: number, batch: readonly Positioned[]): Promise<Sorted> {
    const owners = await this.o.store.seenOwners(batch);
    const prefix = `${partition}:`;
    const originals = new Set<string>();
    const sorted: Sorted = { clicks: [], firstCopy: [], newDuplicates: 0 };
    const stored = this.stored.get(partition);
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i]!;
      const owner = owners[i];
      const ownOffset = owner != null ? offsetIn(owner, prefix) : null;
      let isDuplicate = owner != null && (ownOffset === null || ownOffset < b.offset);
      if (!isDuplicate) {
        const c = b.click;
        const dayId = `${c.campaign_id}|${Math.floor(c.ts / DAY_MS)}|${c.partner_id}/${c.event_id}`;
        if (originals.has(dayId)) isDuplicate = true;
        else originals.add(dayId);
      }
      if (isDuplicate) {
        if (b.offset > (stored?.get(b.click.campaign_id) ?? -1)) sorted.newDuplicates++;
      } else {
        sorted.clicks.push(b);
        sorted.firstCopy.push(ownOffset !== b.offset);
      }
    }
    return sorted;
  }

  /**
   * score: every click that is not a duplicate, also redelivered ones (their
   * flagged/fraud messages may not have been produced); moves the watermark.
   */
  private score(
    partition: number,
    sorted: Sorted,
    ipRank: readonly number[],
    userRank: readonly number[],
  ): { clicks: ScoredClick[]; watermark: number; late: number } {
    const model = currentModel(this.o.model);
    const ctx: ScoringContext = { blocklist: this.o.blocklist.matcher, model };
    const vectors = model instanceof ModelScorer ? model : null;
    const scored: ScoredClick[] = new Array(sorted.clicks.length);
    let watermark = this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
    let late = 0;
    for (let i = 0; i < sorted.clicks.length; i++) {
      const { click, offset } = sorted.clicks[i]!;
      const features: ClickFeatures = {
        ipClicksInMinute: ipRank[i]!,
        userClicksInMinute: userRank[i]!,
        behaviour: model ? this.behaviour.observe(click) : undefined,
      };
      const s = scoreClick(click, features, ctx);
      scored[i] = {
        click,
        offset,
        verdict: s.verdict,
        risk: s.risk,
        reasons: s.reasons,
        versions: s.versions,
        features: vectors && s.verdict !== "clean" ? vectors.vector(click, features) : undefined,
        firstCopy: sorted.firstCopy[i]!,
      };
      if (windowStartMs(click.ts) + WINDOW_MS <= watermark) late++;
      if (click.ts > watermark) watermark = click.ts;
    }
    this.watermarks.set(partition, watermark);
    return { clicks: scored, watermark, late };
  }

  /**
   * deltas and flush: per campaign, the clicks after its stored offset folded
   * into counter deltas and applied atomically with the offset and epoch;
   * retried for campaigns someone else moved meanwhile.
   */
  private async flush(
    partition: number,
    epoch: number,
    scored: readonly ScoredClick[],
    watermark: number,
    /** The batch's last offset: the partition marker moves there with the flush. */
    lastOffset: number,
  ): Promise<Applied | BatchOutcome> {
    const { o } = this;
    const stored = this.stored.get(partition)!;
    const byCampaign = new Map<string, ScoredClick[]>();
    for (const s of scored) {
      let list = byCampaign.get(s.click.campaign_id);
      if (!list) {
        list = [];
        byCampaign.set(s.click.campaign_id, list);
      }
      list.push(s);
    }
    const result: Applied = { applied: [], reprocessed: 0, expiredWindows: 0, expiredDays: 0 };
    let pending = [...byCampaign.keys()];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 3)
        throw new Error(
          `partition ${partition}: campaign state kept moving under the flush; retrying the batch`,
        );
      const deltas: Array<{
        delta: CampaignDelta;
        expectedOffset: number | null;
        fresh: ScoredClick[];
        seen: SeenWrite[];
      }> = [];
      for (const c of pending) {
        const after = stored.get(c) ?? -1;
        const all = byCampaign.get(c)!;
        const fresh = all.filter((s) => s.offset > after);
        if (attempt === 0) result.reprocessed += all.length - fresh.length;
        if (fresh.length === 0) continue;
        deltas.push({
          delta: campaignDelta(c, fresh, Date.now() / 1000),
          expectedOffset: stored.get(c) ?? null,
          fresh,
          seen: seenWrites(fresh, partition, (click) => o.store.seenKeyOf(click)),
        });
      }
      if (deltas.length === 0) {
        if (attempt === 0) await this.advanceMarker(partition, lastOffset);
        break;
      }
      this.lap("deltas");
      const { outcomes } = await o.store.flush(
        partition,
        epoch,
        deltas,
        Number.isFinite(watermark) ? watermark : null,
        lastOffset,
      );
      this.lap("flush");
      pending = [];
      for (const { delta, fresh } of deltas) {
        const outcome = outcomes.get(delta.campaignId)!;
        if (outcome.kind === "applied") {
          stored.set(delta.campaignId, outcome.offset);
          result.applied.push(...fresh);
          result.expiredWindows += delta.expiredWindows;
          result.expiredDays += delta.expiredDays;
        } else if (outcome.kind === "skipped") {
          // Someone (an earlier owner, or us before a crash) applied part of it: send only what is after.
          stored.set(delta.campaignId, outcome.offset);
          if (outcome.offset < delta.toOffset) pending.push(delta.campaignId);
          else result.reprocessed += fresh.length;
        } else if (outcome.kind === "fenced") {
          o.metrics.staleWrites.inc();
          o.logger.warn(
            { partition, campaign: delta.campaignId, epoch },
            "flush fenced: a newer owner has written this partition; dropping the batch",
          );
          this.dropPartition(partition);
          return { kind: "fenced" };
        } else {
          return this.beginRebuild(partition, await o.horizonOffset(partition), "lost");
        }
      }
      this.flushedThrough.set(partition, lastOffset);
    }
    return result;
  }

  /** A batch with nothing to flush still moves the partition marker (commits will pass it). */
  private async advanceMarker(partition: number, lastOffset: number): Promise<void> {
    if (!this.o.detectRedisLoss) return;
    await this.o.store.advanceMarker(partition, lastOffset);
    this.flushedThrough.set(partition, lastOffset);
  }

  /** After a batch is durable: verdict, duplicate, reprocessing and lateness metrics, and the callback. */
  private record(sorted: Sorted, late: number, r: Applied): void {
    const { o } = this;
    const now = Date.now();
    const verdicts = { clean: 0, suspicious: 0, fraud: 0 };
    for (const s of r.applied) {
      verdicts[s.verdict]++;
      o.metrics.clickToCounter.observe(Math.max(0, now - s.click.received_at) / 1000);
    }
    for (const [verdict, n] of Object.entries(verdicts))
      if (n) o.metrics.events.inc({ verdict }, n);
    if (sorted.newDuplicates) o.metrics.duplicates.inc(sorted.newDuplicates);
    if (r.reprocessed) o.metrics.reprocessed.inc(r.reprocessed);
    if (late) o.metrics.late.inc({ outcome: "counted" }, Math.max(0, late - r.expiredWindows));
    const bothExpired = Math.min(r.expiredWindows, r.expiredDays);
    if (r.expiredWindows - bothExpired)
      o.metrics.late.inc({ outcome: "window_expired" }, r.expiredWindows - bothExpired);
    if (bothExpired) o.metrics.late.inc({ outcome: "expired" }, bothExpired);
    o.onFlushed?.(r.applied, now);
  }

  private async beginRebuild(
    partition: number,
    offset: number,
    reason: "lost" | "behind",
  ): Promise<BatchOutcome> {
    await this.o.store.beginRebuild(partition, offset);
    this.o.metrics.rebuilds.inc();
    this.o.logger.warn(
      { partition, offset, reason },
      reason === "lost"
        ? "Redis has lost this partition's counters; rebuilding them from Kafka"
        : "rebuilding this partition's counters from Kafka after the offset Redis holds",
    );
    this.stored.delete(partition);
    this.flushedThrough.delete(partition);
    return { kind: "rebuild", offset };
  }

  /**
   * produce: suspicious clicks to clicks.flagged, fraud to the fraud topic, keyed by event id,
   * acks=all, each with the request id its raw message carried (so the review sink's log names it).
   */
  private async produce(
    scored: readonly ScoredClick[],
    messages: readonly RawMessage[],
  ): Promise<void> {
    const { producer } = this.o;
    if (!producer) return;
    const flagged: OutgoingClick[] = [];
    const fraud: OutgoingClick[] = [];
    for (const s of scored) {
      if (s.verdict === "clean") continue;
      const requestId = requestIdOf(messageAt(messages, s.offset)?.headers);
      const message: OutgoingClick = {
        key: s.click.event_id,
        value: JSON.stringify({
          ...s.click,
          risk: s.risk,
          verdict: s.verdict,
          reasons: s.reasons,
          versions: s.versions,
          features: s.features,
        }),
        ...(requestId ? { headers: { [REQUEST_ID_HEADER]: requestId } } : {}),
      };
      (s.verdict === "fraud" ? fraud : flagged).push(message);
    }
    const topicMessages: Array<{ topic: string; messages: OutgoingClick[] }> = [];
    if (flagged.length) topicMessages.push({ topic: this.o.flaggedTopic, messages: flagged });
    if (fraud.length) topicMessages.push({ topic: this.o.fraudTopic, messages: fraud });
    if (topicMessages.length) await producer.sendBatch({ topicMessages, acks: -1 });
  }
}

interface OutgoingClick {
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** The message at `offset` of a batch (ordered by offset), found by bisection; undefined if absent. */
export function messageAt(messages: readonly RawMessage[], offset: number): RawMessage | undefined {
  let lo = 0;
  let hi = messages.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = Number(messages[mid]!.offset);
    if (at === offset) return messages[mid];
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** The offset of a `partition:offset` position of this partition (`prefix` is `partition:`), else null. */
function offsetIn(position: string, prefix: string): number | null {
  if (!position.startsWith(prefix)) return null;
  const offset = Number(position.slice(prefix.length));
  return Number.isInteger(offset) ? offset : null;
}

/** The pairs a campaign's fresh clicks register as first copies (`seen:{c}:<day>` → position). */
function seenWrites(
  fresh: readonly ScoredClick[],
  partition: number,
  keyOf: (click: ScoredClick["click"]) => string,
): SeenWrite[] {
  const byKey = new Map<string, SeenWrite>();
  for (const s of fresh) {
    if (!s.firstCopy) continue;
    const key = keyOf(s.click);
    let w = byKey.get(key);
    if (!w) {
      w = { key, expireAt: dayExpireAtS(s.click.ts), entries: "" };
      byKey.set(key, w);
    }
    w.entries += `${w.entries ? ";" : ""}${seenField(s.click)},${partition}:${s.offset}`;
  }
  return [...byKey.values()];
}
