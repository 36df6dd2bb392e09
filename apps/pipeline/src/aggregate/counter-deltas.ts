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
  let expiredWindows = 0;
  let expiredDays = 0;
  for (const { click, verdict } of clicks) {
    const counted = verdict !== "fraud";
    const start = windowStartMs(click.ts);
    const windowExpire = windowExpireAtS(start);
    const dayExpire = dayExpireAtS(click.ts);
    const windowLive = windowExpire > nowS;
    const dayLive = dayExpire > nowS;
    if (!windowLive) expiredWindows++;
    if (!dayLive) expiredDays++;
    if (!windowLive && !dayLive) continue;
    for (const dim of dimensionsOf(click)) {
      if (windowLive)
        add(
          counters,
          windowCounterKey(campaignId, start, dim),
          windowExpire,
          click,
          verdict,
          counted,
        );
      if (dayLive)
        add(counters, dayCounterKey(campaignId, click.ts, dim), dayExpire, click, verdict, counted);
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

function add(
  counters: Map<string, CounterDelta>,
  key: string,
  expireAtS: number,
  click: ClickRecord,
  verdict: Verdict,
  counted: boolean,
): void {
  let d = counters.get(key);
  if (!d) {
    d = {
      counterKey: key,
      hllKey: uniqueUsersKey(key),
      clicks: 0,
      costMicros: 0,
      suspicious: 0,
      fraud: 0,
      expireAtS,
      users: new Set(),
    };
    counters.set(key, d);
  }
  if (counted) {
    d.clicks++;
    d.costMicros += click.cost_micros;
    d.users.add(click.user_id);
  }
  if (verdict === "suspicious") d.suspicious++;
  else if (verdict === "fraud") d.fraud++;
}
