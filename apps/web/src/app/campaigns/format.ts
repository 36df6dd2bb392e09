import { formatMicros } from "@adclick/shared/money";

/** Display formatting for the campaign pages: numbers, money, rates and times. */

const integer = new Intl.NumberFormat("en-US");

export const formatCount = (n: number) => integer.format(n);

/** Spend from integer micros, in whole cents for tables (money stays micros until here). */
export function formatSpend(micros: number, currency = "USD"): string {
  return new Intl.NumberFormat("en-US", {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(micros / 1_000_000);
}

export { formatMicros };

export function formatRate(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 2 : 1)}%`;
}

/** `2026-12-02 10:05 UTC`: the exact instant, shown on hover. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Time of day in the viewer's time zone (or `timeZone`), e.g. `11:05`. */
export function formatLocalTime(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  }).format(ms);
}

/** Date and time in the viewer's time zone with the zone's name, e.g. `2 Dec, 11:05 CET`. */
export function formatLocalDateTime(ms: number, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
    timeZone,
  }).format(ms);
}
