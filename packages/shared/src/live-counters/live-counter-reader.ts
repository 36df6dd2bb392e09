import { Device } from "../click-event";
import { isCluster, type RedisClient, scanKeys } from "../redis/redis-client";
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
export type CounterRedis = RedisClient;

/** Most windows one series read may ask for (7 days; the keys themselves live 24 h). */
export const MAX_SERIES_WINDOWS = 7 * 288;

/** Hash partition → watermark (max event time seen, epoch ms) the aggregator keeps per topic. */
export const watermarkKey = (topic: string) => `aggwatermark:${topic}`;

/**
 * The counter fields of every key, flattened, as integers (0 where absent): one
 * script call reads many hashes with one reply instead of one reply per key,
 * which is what a client spends its time on for a few hundred small hashes.
 */
const READ_COUNTERS = `
local out = {}
local n = 0
for i = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[i], ${COUNTER_FIELDS.map((f) => `'${f}'`).join(", ")})
  for j = 1, ${COUNTER_FIELDS.length} do
    n = n + 1
    out[n] = tonumber(v[j]) or 0
  end
end
return out
`;

type ScriptedRedis = CounterRedis & {
  adclickReadCounters(numKeys: number, ...keys: string[]): Promise<number[]>;
};

function scripted(redis: CounterRedis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.adclickReadCounters !== "function")
    redis.defineCommand("adclickReadCounters", { lua: READ_COUNTERS });
  return r;
}

/**
 * The counters of `keys` in one round trip. The keys must share a hash slot
 * on a Redis Cluster (one campaign's keys do: C3's hash tag).
 */
async function readCounters(
  redis: CounterRedis,
  keys: readonly string[],
): Promise<CounterValues[]> {
  if (keys.length === 0) return [];
  const flat = await scripted(redis).adclickReadCounters(keys.length, ...keys);
  const width = COUNTER_FIELDS.length;
  return keys.map((_, i) =>
    parseCounterFields(flat.slice(i * width, i * width + width).map(String)),
  );
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
 * The `all` day totals of many campaigns for the UTC day holding `dayMs`: on
 * one node a single call for all of them; on a Redis Cluster one call per
 * campaign (each from its own slot), all sent at once.
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
  // One node: slots do not matter, one call reads every campaign.
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

/** Ids of the campaigns that have a live `all` day total for the UTC day holding `dayMs` (SCAN on every master). */
export async function scanDayTotalCampaigns(redis: CounterRedis, dayMs: number): Promise<string[]> {
  const suffix = `}:${dayKey(dayMs)}:all`;
  const ids = new Set<string>();
  for await (const keys of scanKeys(redis, `counter:{*${suffix}`)) {
    for (const key of keys) {
      if (key.startsWith("counter:{") && key.endsWith(suffix))
        ids.add(key.slice("counter:{".length, -suffix.length));
    }
  }
  return [...ids].sort();
}

/** The UTC days (start ms) from the day of `fromMs` through the day of `toMs` inclusive. */
export function daysBetween(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let d = dayStartMs(fromMs); d <= toMs; d += DAY_MS) out.push(d);
  return out;
}
