import {
  type ClickRecord,
  DAY_MS,
  DAY_TTL_AFTER_END_S,
  type Dimension,
  dayCounterKey,
  dayStartMs,
  type ScoringVersions,
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
  /** The rules, lists and model versions that decided it. */
  versions?: ScoringVersions;
  /** The model's feature vector (FEATURE_NAMES order) of a flagged click, when a model scored it. */
  features?: number[];
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
  // Per window start / day start, its counters by dimension: looked up by the click's own
  // field values, so key strings are built once per counter, not per click.
  const windows = new Map<number, PeriodCounters>();
  const days = new Map<number, PeriodCounters>();
  let expiredWindows = 0;
  let expiredDays = 0;
  const periodOf = (
    periods: Map<number, PeriodCounters>,
    kind: Period,
    start: number,
    expireAtS: number,
  ) => {
    let period = periods.get(start);
    if (!period) {
      period = new PeriodCounters(campaignId, kind, start, expireAtS, counters);
      periods.set(start, period);
    }
    return period;
  };
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
    if (windowLive) periodOf(windows, "window", start, windowExpire).add(click, verdict, counted);
    if (dayLive) periodOf(days, "day", day, dayExpire).add(click, verdict, counted);
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

type Period = "window" | "day";

/**
 * The counters of one window or day of a campaign, one per dimension value (C3):
 * the dimensions of `dimensionsOf`, which the ground truth counts with (the
 * aggregator tests compare every key), spelled out here to skip its strings.
 */
class PeriodCounters {
  private all: CounterDelta | null = null;
  private readonly device = new Map<string, CounterDelta>();
  private readonly partner = new Map<string, CounterDelta>();
  private readonly country = new Map<string, CounterDelta>();

  constructor(
    private readonly campaignId: string,
    private readonly kind: Period,
    /** Window start or day start (epoch ms). */
    private readonly start: number,
    private readonly expireAtS: number,
    /** Every counter of the campaign's delta, by key: new ones are registered there. */
    private readonly registry: Map<string, CounterDelta>,
  ) {}

  add(click: ClickRecord, verdict: Verdict, counted: boolean): void {
    this.all ??= this.create("all");
    add(this.all, click, verdict, counted);
    add(this.of(this.device, "device:", click.device), click, verdict, counted);
    add(this.of(this.partner, "partner:", click.partner_id), click, verdict, counted);
    if (click.country)
      add(this.of(this.country, "country:", click.country), click, verdict, counted);
  }

  private of(
    byValue: Map<string, CounterDelta>,
    prefix: "device:" | "partner:" | "country:",
    value: string,
  ): CounterDelta {
    let d = byValue.get(value);
    if (!d) {
      d = this.create(`${prefix}${value}` as Dimension);
      byValue.set(value, d);
    }
    return d;
  }

  private create(dim: Dimension): CounterDelta {
    const key =
      this.kind === "window"
        ? windowCounterKey(this.campaignId, this.start, dim)
        : dayCounterKey(this.campaignId, this.start, dim);
    const d = counter(key, this.expireAtS);
    this.registry.set(d.counterKey, d);
    return d;
  }
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
