import {
  type ClickRecord,
  DAY_MS,
  DAY_TTL_AFTER_END_S,
  dayCounterKey,
  dayStartMs,
  dimensionsOf,
  uniqueUsersKey,
  type Verdict,
  WINDOW_MS,
  WINDOW_TTL_AFTER_END_S,
  windowCounterKey,
  windowStartMs,
} from "@adclick/shared";

/** A decoded click with its place in the partition and its fraud verdict. */
export interface ScoredClick {
  click: ClickRecord;
  offset: number;
  verdict: Verdict;
  risk: number;
  reasons: string[];
  /** The first copy of its event id not yet registered in `seen:` (the flush registers it). */
  firstCopy?: boolean;
}

export interface CounterDelta {
  counterKey: string;
  hllKey: string;
  clicks: number;
  costMicros: number;
  suspicious: number;
  fraud: number;
  /** Unix seconds at which the counter expires (C3 TTLs). */
  expireAtS: number;
  users: Set<string>;
}

/** One campaign's share of a batch: what one flush script call applies. */
export interface CampaignDelta {
  campaignId: string;
  fromOffset: number;
  toOffset: number;
  counters: Map<string, CounterDelta>;
  /** Clicks whose 5-minute window (and maybe day) key had already expired. */
  expiredWindows: number;
  expiredDays: number;
}

export function windowExpireAtS(windowStart: number): number {
  return (windowStart + WINDOW_MS) / 1000 + WINDOW_TTL_AFTER_END_S;
}

export function dayExpireAtS(tsMs: number): number {
  return (dayStartMs(tsMs) + DAY_MS) / 1000 + DAY_TTL_AFTER_END_S;
}

/**
 * Folds one campaign's scored clicks (offset order) into counter deltas: every
 * dimension of its 5-minute window and its day (C3). Clean and suspicious
 * clicks count (clicks, cost, unique users); fraud only in `fraud`. A counter
 * whose key has already expired at `nowS` is not written (the batch owns those
 * clicks); the caller counts them in a metric.
 */
export function campaignDelta(
  campaignId: string,
  clicks: readonly ScoredClick[],
  nowS: number,
): CampaignDelta {
  const counters = new Map<string, CounterDelta>();
  // Per window start / day start, the counters by dimension: key strings are built once per
  // counter, not per click.
  const windows = new Map<number, Map<string, CounterDelta>>();
  const days = new Map<number, Map<string, CounterDelta>>();
  let expiredWindows = 0;
  let expiredDays = 0;
  for (const { click, verdict } of clicks) {
    const counted = verdict !== "fraud";
    const start = windowStartMs(click.ts);
    const day = dayStartMs(click.ts);
    const windowExpire = windowExpireAtS(start);
    const dayExpire = (day + DAY_MS) / 1000 + DAY_TTL_AFTER_END_S;
    const windowLive = windowExpire > nowS;
    const dayLive = dayExpire > nowS;
    if (!windowLive) expiredWindows++;
    if (!dayLive) expiredDays++;
    if (!windowLive && !dayLive) continue;
    const dims = dimensionsOf(click);
    if (windowLive) {
      let byDim = windows.get(start);
      if (!byDim) {
        byDim = new Map();
        windows.set(start, byDim);
      }
      for (const dim of dims) {
        let d = byDim.get(dim);
        if (!d) {
          d = counter(windowCounterKey(campaignId, start, dim), windowExpire);
          byDim.set(dim, d);
          counters.set(d.counterKey, d);
        }
        add(d, click, verdict, counted);
      }
    }
    if (dayLive) {
      let byDim = days.get(day);
      if (!byDim) {
        byDim = new Map();
        days.set(day, byDim);
      }
      for (const dim of dims) {
        let d = byDim.get(dim);
        if (!d) {
          d = counter(dayCounterKey(campaignId, click.ts, dim), dayExpire);
          byDim.set(dim, d);
          counters.set(d.counterKey, d);
        }
        add(d, click, verdict, counted);
      }
    }
  }
  return {
    campaignId,
    fromOffset: clicks[0]?.offset ?? -1,
    toOffset: clicks[clicks.length - 1]?.offset ?? -1,
    counters,
    expiredWindows,
    expiredDays,
  };
}

function counter(key: string, expireAtS: number): CounterDelta {
  return {
    counterKey: key,
    hllKey: uniqueUsersKey(key),
    clicks: 0,
    costMicros: 0,
    suspicious: 0,
    fraud: 0,
    expireAtS,
    users: new Set(),
  };
}

function add(d: CounterDelta, click: ClickRecord, verdict: Verdict, counted: boolean): void {
  if (counted) {
    d.clicks++;
    d.costMicros += click.cost_micros;
    d.users.add(click.user_id);
  }
  if (verdict === "suspicious") d.suspicious++;
  else if (verdict === "fraud") d.fraud++;
}
