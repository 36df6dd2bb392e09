import { z } from "zod";
import { COUNTER_FIELDS } from "../redis-keys";
import { WINDOW_MS } from "../time-window";

const Count = z.number().int().nonnegative();

/** One live counter (C3 fields), in camelCase. A missing key reads as all zeros. */
export const CounterValues = z.object({
  clicks: Count,
  uniqueUsers: Count,
  costMicros: Count,
  suspicious: Count,
  fraud: Count,
});
export type CounterValues = z.infer<typeof CounterValues>;

/** One 5-minute window of a series. */
export const WindowPoint = CounterValues.extend({ windowStartMs: z.number().int() });
export type WindowPoint = z.infer<typeof WindowPoint>;

/** One UTC day total. */
export const DayPoint = CounterValues.extend({ dayStartMs: z.number().int() });
export type DayPoint = z.infer<typeof DayPoint>;

export const BreakdownKind = z.enum(["country", "device", "partner"]);
export type BreakdownKind = z.infer<typeof BreakdownKind>;

/** One value of a dimension (`DE`, `mobile`, a partner id) with its counters. */
export const BreakdownRow = CounterValues.extend({ value: z.string() });
export type BreakdownRow = z.infer<typeof BreakdownRow>;

export const Breakdown = z.object({
  country: z.array(BreakdownRow),
  device: z.array(BreakdownRow),
  partner: z.array(BreakdownRow),
});
export type Breakdown = z.infer<typeof Breakdown>;

export const ZERO_COUNTERS: CounterValues = Object.freeze({
  clicks: 0,
  uniqueUsers: 0,
  costMicros: 0,
  suspicious: 0,
  fraud: 0,
});

/** The reply of `HMGET key ...COUNTER_FIELDS` as counters (absent fields are 0). */
export function parseCounterFields(values: ReadonlyArray<string | null>): CounterValues {
  const n = (i: number) => {
    const v = values[i];
    return v === null || v === undefined ? 0 : Number(v);
  };
  const at = (field: (typeof COUNTER_FIELDS)[number]) => COUNTER_FIELDS.indexOf(field);
  return {
    clicks: n(at("clicks")),
    uniqueUsers: n(at("unique_users")),
    costMicros: n(at("cost_micros")),
    suspicious: n(at("suspicious")),
    fraud: n(at("fraud")),
  };
}

export function isEmptyCounter(c: CounterValues): boolean {
  return c.clicks === 0 && c.suspicious === 0 && c.fraud === 0 && c.costMicros === 0;
}

/**
 * A window is open (its counts may still grow) until the watermark of its
 * campaign's partition (the latest event time the aggregator has counted there)
 * has passed its end. Without a watermark every window is open.
 */
export function isWindowOpen(windowStartMs: number, watermarkMs: number | null): boolean {
  return watermarkMs === null || windowStartMs + WINDOW_MS > watermarkMs;
}

/** Share of a campaign's clicks that were dropped as fraud: fraud / (counted + fraud); 0 without clicks. */
export function fraudRate(c: Pick<CounterValues, "clicks" | "fraud">): number {
  const all = c.clicks + c.fraud;
  return all === 0 ? 0 : c.fraud / all;
}
