import {
  type ClickScorer,
  DAY_MS,
  type ScoringContext,
  scoreClick,
  WINDOW_MS,
  windowStartMs,
} from "@adclick/shared";
import type { Producer } from "kafkajs";
import type { Logger } from "../runtime/logger";
import type { AggregateStore, Positioned, SeenWrite } from "./aggregate-store";
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
}

export type BatchOutcome =
  | { kind: "done" }
  /** A newer owner wrote: this process lost the partition; do not commit. */
  | { kind: "fenced" }
  /** Redis lost this partition's counters: seek to `offset` and rebuild. */
  | { kind: "rebuild"; offset: number }
  /** The batch went stale (rebalance or seek) before it was flushed. */
  | { kind: "abandoned" };

export interface BatchProcessorOptions {
  store: AggregateStore;
  /** Producer for clicks.flagged and the fraud topic; null to skip (bench of counters only). */
  producer: Producer | null;
  flaggedTopic: string;
  fraudTopic: string;
  blocklist: BlocklistSource;
  model?: ClickScorer;
  metrics: AggregatorMetrics;
  logger: Logger;
  /** Offset to rebuild a partition from when Redis lost it (the TTL horizon). */
  horizonOffset: (partition: number) => Promise<number>;
  /** Check the partition marker (live aggregator); replay sets markers itself. */
  detectRedisLoss: boolean;
  /** Ignore clicks older than this (replay rebuilds whole days from here). */
  minTsMs?: number;
  /** Test hook: wait this long before each flush, to widen race windows. */
  flushDelayMs?: number;
  /** Called after a batch's counters are in Redis (the bench measures latency with it). */
  onFlushed?: (clicks: readonly ScoredClick[], nowMs: number) => void;
}

/**
 * Turns one fetched batch of one partition into counters in Redis:
 * decode → features (one Redis round trip) → score → per-campaign deltas →
 * flush (one round trip, atomic per campaign with the offset and epoch) while
 * the flagged and fraud clicks are produced. Keeps, per partition, the stored
 * offset of every campaign it has seen, so redelivered clicks are skipped.
 */
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
  private readonly watermarks = new Map<number, number>();

  constructor(private readonly o: BatchProcessorOptions) {}

  /** Forget what we knew about partitions (after a rebalance the state is re-read). */
  resetPartitions(): void {
    this.stored.clear();
  }

  watermarkOf(partition: number): number | undefined {
    return this.watermarks.get(partition);
  }

  ownedWatermarks(): Map<number, number> {
    return this.watermarks;
  }

  dropPartition(partition: number): void {
    this.stored.delete(partition);
    this.watermarks.delete(partition);
  }

  async process(
    partition: number,
    messages: readonly RawMessage[],
    epoch: number,
    isStale: () => boolean,
  ): Promise<BatchOutcome> {
    const { o } = this;
    const t = this.timings;
    let t0 = performance.now();
    const lap = (phase: Exclude<keyof PhaseTimings, "batches">) => {
      const now = performance.now();
      t[phase] += now - t0;
      t0 = now;
    };
    t.batches++;
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
          { partition, offset: m.offset },
          "skipping a message on clicks.raw that is not a click record",
        );
      }
    }
    lap("decode");
    if (batch.length === 0) return { kind: "done" };

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
    const from = Number(messages[0]!.offset);
    if (o.detectRedisLoss && state.pendingRebuildFrom !== null) {
      // A rebuild was decided (maybe by an owner that died before its seek was committed).
      if (from > state.pendingRebuildFrom) {
        o.logger.warn(
          { partition, offset: state.pendingRebuildFrom },
          "resuming a pending rebuild of the partition's counters",
        );
        this.stored.delete(partition);
        return { kind: "rebuild", offset: state.pendingRebuildFrom };
      }
      await o.store.setMarker(partition);
    } else if (o.detectRedisLoss && !state.markerPresent) {
      const horizon = await o.horizonOffset(partition);
      if (from > horizon) return this.beginRebuild(partition, horizon);
      await o.store.setMarker(partition);
      o.logger.info({ partition }, "starting the partition's counters in Redis");
    }
    for (const [c, offset] of state.states) stored.set(c, offset);
    lap("state");
    const features = await o.store.features(partition, batch);
    lap("features");

    // Score every click, also redelivered ones: their flagged/fraud messages may not have been produced.
    const ctx: ScoringContext = { blocklist: o.blocklist.matcher, model: o.model };
    const scored: ScoredClick[] = new Array(batch.length);
    const originals = new Set<string>();
    let watermark = this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
    let late = 0;
    const prefix = `${partition}:`;
    for (let i = 0; i < batch.length; i++) {
      const { click, offset } = batch[i]!;
      // Duplicate: the event id's first position is another one (an earlier offset of this
      // partition takes over: a rebuild re-registers originals in order), or an earlier click
      // of this batch had it.
      const owner = features.seenOwner[i];
      const ownOffset = owner != null ? offsetIn(owner, prefix) : null;
      let isDuplicate = owner != null && (ownOffset === null || ownOffset < offset);
      if (!isDuplicate) {
        const dayId = `${click.campaign_id}|${Math.floor(click.ts / DAY_MS)}|${click.event_id}`;
        if (originals.has(dayId)) isDuplicate = true;
        else originals.add(dayId);
      }
      const s = scoreClick(
        click,
        {
          ipClicksInMinute: features.ipRank[i]!,
          userClicksInMinute: features.userRank[i]!,
          isDuplicate,
        },
        ctx,
      );
      scored[i] = {
        click,
        offset,
        verdict: s.verdict,
        risk: s.risk,
        reasons: s.reasons,
        firstCopy: !isDuplicate && ownOffset !== offset,
      };
      if (windowStartMs(click.ts) + WINDOW_MS <= watermark) late++;
      if (click.ts > watermark) watermark = click.ts;
    }
    this.watermarks.set(partition, watermark);

    lap("score");
    const byCampaign = new Map<string, ScoredClick[]>();
    for (const s of scored) {
      let list = byCampaign.get(s.click.campaign_id);
      if (!list) {
        list = [];
        byCampaign.set(s.click.campaign_id, list);
      }
      list.push(s);
    }

    if (o.flushDelayMs) await new Promise((r) => setTimeout(r, o.flushDelayMs));
    if (isStale()) return { kind: "abandoned" };

    const stopFlush = o.metrics.flushSeconds.startTimer();
    const produced = this.produce(scored);
    // Awaited below on every path that completes; a flush that throws first must not leave
    // the rejection unhandled (that would kill the process instead of retrying the batch).
    produced.catch(() => undefined);
    let pending = [...byCampaign.keys()];
    const applied: ScoredClick[] = [];
    let reprocessed = 0;
    let expiredWindows = 0;
    let expiredDays = 0;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 3)
        throw new Error(
          `partition ${partition}: campaign state kept moving under the flush; retrying the batch`,
        );
      const deltas: Array<{
        delta: CampaignDelta;
        expectState: boolean;
        fresh: ScoredClick[];
        seen: SeenWrite[];
      }> = [];
      for (const c of pending) {
        const after = stored.get(c) ?? -1;
        const all = byCampaign.get(c)!;
        const fresh = all.filter((s) => s.offset > after);
        if (attempt === 0) reprocessed += all.length - fresh.length;
        if (fresh.length === 0) continue;
        const delta = campaignDelta(c, fresh, Date.now() / 1000);
        deltas.push({
          delta,
          expectState: stored.get(c) != null,
          fresh,
          seen: seenWrites(fresh, partition, (click) => o.store.seenKeyOf(click)),
        });
      }
      if (deltas.length === 0) break;
      lap("deltas");
      const { outcomes } = await o.store.flush(
        partition,
        epoch,
        deltas,
        Number.isFinite(watermark) ? watermark : null,
      );
      lap("flush");
      pending = [];
      for (const { delta, fresh } of deltas) {
        const outcome = outcomes.get(delta.campaignId)!;
        if (outcome.kind === "applied") {
          stored.set(delta.campaignId, outcome.offset);
          applied.push(...fresh);
          expiredWindows += delta.expiredWindows;
          expiredDays += delta.expiredDays;
        } else if (outcome.kind === "skipped") {
          // Someone (an earlier owner, or us before a crash) applied part of it: send only what is after.
          stored.set(delta.campaignId, outcome.offset);
          if (outcome.offset < delta.toOffset) pending.push(delta.campaignId);
          else reprocessed += fresh.length;
        } else if (outcome.kind === "fenced") {
          o.metrics.staleWrites.inc();
          o.logger.warn(
            { partition, campaign: delta.campaignId, epoch },
            "flush fenced: a newer owner has written this partition; dropping the batch",
          );
          await produced.catch(() => undefined);
          this.dropPartition(partition);
          return { kind: "fenced" };
        } else {
          await produced.catch(() => undefined);
          return this.beginRebuild(partition, await o.horizonOffset(partition));
        }
      }
    }
    await produced;
    lap("produce");
    stopFlush();

    const now = Date.now();
    const verdicts = { clean: 0, suspicious: 0, fraud: 0 };
    for (const s of applied) {
      verdicts[s.verdict]++;
      o.metrics.clickToCounter.observe(Math.max(0, now - s.click.received_at) / 1000);
    }
    for (const [verdict, n] of Object.entries(verdicts))
      if (n) o.metrics.events.inc({ verdict }, n);
    if (reprocessed) o.metrics.reprocessed.inc(reprocessed);
    if (late) o.metrics.late.inc({ outcome: "counted" }, Math.max(0, late - expiredWindows));
    const bothExpired = Math.min(expiredWindows, expiredDays);
    if (expiredWindows - bothExpired)
      o.metrics.late.inc({ outcome: "window_expired" }, expiredWindows - bothExpired);
    if (bothExpired) o.metrics.late.inc({ outcome: "expired" }, bothExpired);
    o.onFlushed?.(applied, now);
    return { kind: "done" };
  }

  private async beginRebuild(partition: number, offset: number): Promise<BatchOutcome> {
    await this.o.store.beginRebuild(partition, offset);
    this.o.metrics.rebuilds.inc();
    this.o.logger.warn(
      { partition, offset },
      "Redis has lost this partition's counters; rebuilding them from Kafka",
    );
    this.stored.delete(partition);
    return { kind: "rebuild", offset };
  }

  /** Suspicious clicks to clicks.flagged, fraud to the fraud topic, keyed by event id, acks=all. */
  private async produce(scored: readonly ScoredClick[]): Promise<void> {
    const { producer } = this.o;
    if (!producer) return;
    const flagged: Array<{ key: string; value: string }> = [];
    const fraud: Array<{ key: string; value: string }> = [];
    for (const s of scored) {
      if (s.verdict === "clean") continue;
      const message = {
        key: s.click.event_id,
        value: JSON.stringify({ ...s.click, risk: s.risk, verdict: s.verdict, reasons: s.reasons }),
      };
      (s.verdict === "fraud" ? fraud : flagged).push(message);
    }
    const topicMessages: Array<{ topic: string; messages: Array<{ key: string; value: string }> }> =
      [];
    if (flagged.length) topicMessages.push({ topic: this.o.flaggedTopic, messages: flagged });
    if (fraud.length) topicMessages.push({ topic: this.o.fraudTopic, messages: fraud });
    if (topicMessages.length) await producer.sendBatch({ topicMessages, acks: -1 });
  }
}

/** The offset of a `partition:offset` position of this partition (`prefix` is `partition:`), else null. */
function offsetIn(position: string, prefix: string): number | null {
  if (!position.startsWith(prefix)) return null;
  const offset = Number(position.slice(prefix.length));
  return Number.isInteger(offset) ? offset : null;
}

/** The event ids a campaign's fresh clicks register as first copies (`seen:{c}:<day>` → position). */
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
    w.entries += `${w.entries ? ";" : ""}${s.click.event_id},${partition}:${s.offset}`;
  }
  return [...byKey.values()];
}
