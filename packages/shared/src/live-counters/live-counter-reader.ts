import type { Cluster, Redis } from "ioredis";
import { Device } from "../click-event";
import { COUNTER_FIELDS, type Dimension, dayCounterKey, windowCounterKey } from "../redis-keys";
import { DAY_MS, dayKey, dayStartMs, WINDOW_MS, windowStartMs } from "../time-window";
import { topicName } from "../topics";
import {
  type Breakdown,
  type BreakdownKind,
  type BreakdownRow,
  type CounterValues,
  type DayPoint,
  isEmptyCounter,
  parseCounterFields,
  type WindowPoint,
} from "./counter-values";
import { kafkaPartitionOf } from "./kafka-partition";

/** A Redis node or a Redis Cluster: one campaign's keys share a hash tag, so its pipeline stays in one slot. */
export type CounterRedis = Redis | Cluster;

/** Most windows one series read may ask for (7 days; the keys themselves live 24 h). */
export const MAX_SERIES_WINDOWS = 7 * 288;

/** Hash partition → watermark (max event time seen, epoch ms) the aggregator keeps per topic. */
export const watermarkKey = (topic: string) => `aggwatermark:${topic}`;

/** Runs HMGETs of the counter fields for `keys` in one pipeline (one round trip). */
async function readCounters(
  redis: CounterRedis,
  keys: readonly string[],
): Promise<CounterValues[]> {
  if (keys.length === 0) return [];
  const pipe = redis.pipeline();
  for (const key of keys) pipe.hmget(key, ...COUNTER_FIELDS);
  const results = (await pipe.exec()) ?? [];
  return keys.map((key, i) => {
    const [err, values] = results[i] ?? [new Error(`no reply for ${key}`), null];
    if (err) throw err;
    return parseCounterFields((values as Array<string | null>) ?? []);
  });
}

/**
 * Every 5-minute window whose start lies in [windowStart(fromMs), toMs), zeros
 * included, in one round trip for the campaign.
 */
export async function readWindowSeries(
  redis: CounterRedis,
  campaignId: string,
  range: { fromMs: number; toMs: number },
  dimension: Dimension = "all",
): Promise<WindowPoint[]> {
  const starts: number[] = [];
  for (let w = windowStartMs(range.fromMs); w < range.toMs; w += WINDOW_MS) {
    starts.push(w);
    if (starts.length > MAX_SERIES_WINDOWS)
      throw new RangeError(`a series reads at most ${MAX_SERIES_WINDOWS} windows`);
  }
  const counters = await readCounters(
    redis,
    starts.map((w) => windowCounterKey(campaignId, w, dimension)),
  );
  return starts.map((windowStartMs, i) => ({ windowStartMs, ...counters[i]! }));
}

/** Day totals of one campaign for each UTC day in `days` (epoch ms in the day), one round trip. */
export async function readDaySeries(
  redis: CounterRedis,
  campaignId: string,
  days: readonly number[],
  dimension: Dimension = "all",
): Promise<DayPoint[]> {
  const starts = days.map(dayStartMs);
  const counters = await readCounters(
    redis,
    starts.map((d) => dayCounterKey(campaignId, d, dimension)),
  );
  return starts.map((dayStartMs, i) => ({ dayStartMs, ...counters[i]! }));
}

/**
 * The `all` day totals of many campaigns for the UTC day holding `dayMs`:
 * one pipeline per campaign (so a Redis Cluster can serve each from its slot),
 * all sent at once.
 */
export async function readDayTotals(
  redis: CounterRedis,
  campaignIds: readonly string[],
  dayMs: number,
): Promise<Map<string, CounterValues>> {
  if (isCluster(redis)) {
    const rows = await Promise.all(
      campaignIds.map((id) => readCounters(redis, [dayCounterKey(id, dayMs, "all")])),
    );
    return new Map(campaignIds.map((id, i) => [id, rows[i]![0]!]));
  }
  // One node: a single pipeline for every campaign is one round trip.
  const rows = await readCounters(
    redis,
    campaignIds.map((id) => dayCounterKey(id, dayMs, "all")),
  );
  return new Map(campaignIds.map((id, i) => [id, rows[i]!]));
}

/** Every two-letter code: the country dimension takes any ISO 3166-1 alpha-2 code. */
const COUNTRY_CODES: readonly string[] = (() => {
  const out: string[] = [];
  for (let a = 65; a <= 90; a++) for (let b = 65; b <= 90; b++) out.push(String.fromCharCode(a, b));
  return out;
})();

/**
 * The campaign's counters by country, device and partner for one day total
 * (`{ dayMs }`) or one 5-minute window (`{ windowStartMs }`), rows with
 * activity only, most clicks first. The keys carry no index of their values,
 * so it asks for every possible country and device and the given partners,
 * in one round trip (no SCAN).
 */
export async function readBreakdown(
  redis: CounterRedis,
  campaignId: string,
  at: { dayMs: number } | { windowStartMs: number },
  partnerIds: readonly string[],
): Promise<Breakdown> {
  const wanted: Array<{ kind: BreakdownKind; value: string; dimension: Dimension }> = [
    ...COUNTRY_CODES.map((value) => ({
      kind: "country" as const,
      value,
      dimension: `country:${value}` as Dimension,
    })),
    ...Device.options.map((value) => ({
      kind: "device" as const,
      value,
      dimension: `device:${value}` as Dimension,
    })),
    ...partnerIds.map((value) => ({
      kind: "partner" as const,
      value,
      dimension: `partner:${value}` as Dimension,
    })),
  ];
  const keyOf = (dimension: Dimension) =>
    "dayMs" in at
      ? dayCounterKey(campaignId, at.dayMs, dimension)
      : windowCounterKey(campaignId, at.windowStartMs, dimension);
  const counters = await readCounters(
    redis,
    wanted.map((w) => keyOf(w.dimension)),
  );
  const out: Breakdown = { country: [], device: [], partner: [] };
  wanted.forEach((w, i) => {
    const c = counters[i]!;
    if (!isEmptyCounter(c)) out[w.kind].push({ value: w.value, ...c } satisfies BreakdownRow);
  });
  for (const rows of Object.values(out))
    rows.sort((a, b) => b.clicks - a.clicks || a.value.localeCompare(b.value));
  return out;
}

/** The aggregator's watermark of every partition of the deployment's `clicks.raw`. */
export async function readWatermarks(
  redis: CounterRedis,
  topicPrefix: string,
): Promise<Map<number, number>> {
  const hash = await redis.hgetall(watermarkKey(topicName(topicPrefix, "raw")));
  return new Map(Object.entries(hash).map(([p, ms]) => [Number(p), Number(ms)]));
}

/**
 * The watermark of the partition a campaign's clicks land in (C2: keyed by
 * campaign id), or null when that partition has none yet.
 */
export function campaignWatermarkMs(
  watermarks: ReadonlyMap<number, number>,
  campaignId: string,
  numPartitions: number,
): number | null {
  return watermarks.get(kafkaPartitionOf(campaignId, numPartitions)) ?? null;
}

/** Ids of the campaigns that have a live `all` day total for the UTC day holding `dayMs` (SCAN; a single node). */
export async function scanDayTotalCampaigns(redis: Redis, dayMs: number): Promise<string[]> {
  const suffix = `}:${dayKey(dayMs)}:all`;
  const ids: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `counter:{*${suffix}`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) {
      if (key.startsWith("counter:{") && key.endsWith(suffix))
        ids.push(key.slice("counter:{".length, -suffix.length));
    }
  } while (cursor !== "0");
  return ids.sort();
}

/** The UTC days (start ms) from the day of `fromMs` through the day of `toMs` inclusive. */
export function daysBetween(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let d = dayStartMs(fromMs); d <= toMs; d += DAY_MS) out.push(d);
  return out;
}

function isCluster(redis: CounterRedis): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}
