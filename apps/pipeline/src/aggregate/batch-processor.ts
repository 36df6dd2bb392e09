import {
  type ClickScorer,
  type ScoringContext,
  scoreClick,
  WINDOW_MS,
  windowStartMs,
} from "@adclick/shared";
import type { Producer } from "kafkajs";
import type { Logger } from "../runtime/logger";
import type { AggregateStore, Positioned } from "./aggregate-store";
import type { BlocklistSource } from "./blocklist-source";
import { type CampaignDelta, campaignDelta, type ScoredClick } from "./counter-deltas";
import { decodeClick } from "./decode-click";
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
export class BatchProcessor {
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
    const batch: Positioned[] = [];
    for (const m of messages) {
      const click = decodeClick(m.value);
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
    if (batch.length === 0) return { kind: "done" };

    let stored = this.stored.get(partition);
    if (!stored) {
      stored = new Map();
      this.stored.set(partition, stored);
    }
    const unknown = [...new Set(batch.map((b) => b.click.campaign_id))].filter(
      (c) => !stored.has(c),
    );
    const features = await o.store.features(partition, batch, unknown);
    if (o.detectRedisLoss && !features.markerPresent) {
      const horizon = await o.horizonOffset(partition);
      await o.store.setMarker(partition);
      if (batch[0]!.offset > horizon) return this.rebuild(partition, horizon);
      o.logger.info({ partition }, "starting the partition's counters in Redis");
    }
    for (const [c, offset] of features.states) stored.set(c, offset);

    // Score every click, also redelivered ones: their flagged/fraud messages may not have been produced.
    const ctx: ScoringContext = { blocklist: o.blocklist.matcher, model: o.model };
    const scored: ScoredClick[] = new Array(batch.length);
    let watermark = this.watermarks.get(partition) ?? Number.NEGATIVE_INFINITY;
    let late = 0;
    for (let i = 0; i < batch.length; i++) {
      const { click, offset } = batch[i]!;
      const s = scoreClick(
        click,
        {
          ipClicksInMinute: features.ipRank[i]!,
          userClicksInMinute: features.userRank[i]!,
          isDuplicate: features.isDuplicate[i]!,
        },
        ctx,
      );
      scored[i] = { click, offset, verdict: s.verdict, risk: s.risk, reasons: s.reasons };
      if (windowStartMs(click.ts) + WINDOW_MS <= watermark) late++;
      if (click.ts > watermark) watermark = click.ts;
    }
    this.watermarks.set(partition, watermark);

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
      const deltas: Array<{ delta: CampaignDelta; expectState: boolean; fresh: ScoredClick[] }> =
        [];
      for (const c of pending) {
        const after = stored.get(c) ?? -1;
        const all = byCampaign.get(c)!;
        const fresh = all.filter((s) => s.offset > after);
        if (attempt === 0) reprocessed += all.length - fresh.length;
        if (fresh.length === 0) continue;
        const delta = campaignDelta(c, fresh, Date.now() / 1000);
        deltas.push({ delta, expectState: stored.get(c) != null, fresh });
      }
      if (deltas.length === 0) break;
      const { outcomes } = await o.store.flush(
        partition,
        epoch,
        deltas,
        Number.isFinite(watermark) ? watermark : null,
      );
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
          await o.store.setMarker(partition);
          return this.rebuild(partition, await o.horizonOffset(partition));
        }
      }
    }
    await produced;
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

  private rebuild(partition: number, offset: number): BatchOutcome {
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
