import { DAY_MS, isoDay, parseIsoDay } from "../time-window";
import type { HistoryDay } from "./campaign-views";
import type { DayPoint } from "./counter-values";

export interface BilledDayTotals {
  day: string;
  clicks: number;
  uniqueUsers: number;
  costMicros: number;
  fraudClicks: number;
}

/** Every YYYY-MM-DD from `from` through `to`, inclusive. */
export function isoDaysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = parseIsoDay(from), end = parseIsoDay(to); d <= end; d += DAY_MS) out.push(isoDay(d));
  return out;
}

/**
 * One row per day of `days`: the billed figures where `billing_daily` has the
 * day, else the live day total (zeros once its key has expired).
 */
export function mergeHistory(
  days: readonly string[],
  billed: readonly BilledDayTotals[],
  live: readonly DayPoint[],
): HistoryDay[] {
  const billedByDay = new Map(billed.map((b) => [b.day, b]));
  const liveByDay = new Map(live.map((l) => [isoDay(l.dayStartMs), l]));
  return days.map((day) => {
    const b = billedByDay.get(day);
    if (b)
      return {
        day,
        source: "billed" as const,
        clicks: b.clicks,
        uniqueUsers: b.uniqueUsers,
        costMicros: b.costMicros,
        fraud: b.fraudClicks,
      };
    const l = liveByDay.get(day);
    return {
      day,
      source: "live" as const,
      clicks: l?.clicks ?? 0,
      uniqueUsers: l?.uniqueUsers ?? 0,
      costMicros: l?.costMicros ?? 0,
      fraud: l?.fraud ?? 0,
    };
  });
}
