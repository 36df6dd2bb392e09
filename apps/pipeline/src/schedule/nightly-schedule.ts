import type { BatchDayHistory } from "@adclick/db/queries";
import { DAY_MS, dayStartMs, isoDay } from "@adclick/shared";

/**
 * C11: a day stays open for 7 days after it ends (the Kafka retention and the
 * `ts` horizon of C1): until then late clicks can reach its lake files.
 */
export const OPEN_DAYS_AFTER_END = 7;

/** Minutes after UTC midnight for an `HH:MM` time. */
export function parseBatchAt(batchAt: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(batchAt);
  if (!m) throw new Error(`batch time must be HH:MM (UTC), got "${batchAt}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The next moment strictly after `nowMs` at which the nightly batch fires. */
export function nextRunAt(nowMs: number, batchAt: string): number {
  const today = dayStartMs(nowMs) + parseBatchAt(batchAt) * 60_000;
  return today > nowMs ? today : today + DAY_MS;
}

/** The latest day whose batch is due at `nowMs`: yesterday once today's batch time has passed. */
export function latestDueDay(nowMs: number, batchAt: string): string {
  const todayRun = dayStartMs(nowMs) + parseBatchAt(batchAt) * 60_000;
  return isoDay(dayStartMs(nowMs) - (nowMs >= todayRun ? 1 : 2) * DAY_MS);
}

/** The oldest day still open at `nowMs`: it ends less than OPEN_DAYS_AFTER_END days before `nowMs`. */
export function oldestOpenDay(nowMs: number): string {
  return isoDay(dayStartMs(nowMs) - OPEN_DAYS_AFTER_END * DAY_MS);
}

/**
 * The days the scheduler looks at, oldest first: every open day up to the
 * latest due one, and before them every day after `lastBilledBefore` (the
 * latest billed day older than the open ones), so an outage longer than a week
 * skips nothing. A fresh install (nothing billed) starts at the open days.
 */
export function dueDays(nowMs: number, batchAt: string, lastBilledBefore: string | null): string[] {
  const latestMs = Date.parse(`${latestDueDay(nowMs, batchAt)}T00:00:00Z`);
  const openMs = Date.parse(`${oldestOpenDay(nowMs)}T00:00:00Z`);
  const fromMs = lastBilledBefore ? Date.parse(`${lastBilledBefore}T00:00:00Z`) + DAY_MS : openMs;
  const days: string[] = [];
  for (let t = Math.min(fromMs, openMs); t <= latestMs; t += DAY_MS) days.push(isoDay(t));
  return days;
}

/** A failing day's wait before its next attempt: doubling from `baseMs`, at most 6 h. */
export function retryDelayMs(failures: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failures - 1), 6 * 3_600_000);
}

export type DayDecision =
  /** Never billed: bill it (once the lake is complete). */
  | "bill"
  /** Billed, but the lake has gained (or lost) files since: bill it again. */
  | "rebill"
  /** Its last attempt failed and the backoff has passed: try again. */
  | "retry"
  /** Its last attempt failed; the backoff has not passed. */
  | "backoff"
  /** Billed from the lake files it has now. */
  | "done";

/**
 * What to do with a day, from its runs so far, its lake files' fingerprint now
 * and when this process last saw it fail (null: not since it started, so a
 * restart retries at once).
 */
export function decideDay(
  history: BatchDayHistory | undefined,
  fingerprintNow: string,
  lastFailedAtMs: number | null,
  nowMs: number,
  retryBaseMs: number,
): DayDecision {
  if (history && history.failuresSinceSuccess > 0) {
    if (lastFailedAtMs === null) return "retry";
    return nowMs >= lastFailedAtMs + retryDelayMs(history.failuresSinceSuccess, retryBaseMs)
      ? "retry"
      : "backoff";
  }
  if (!history || history.billedFingerprint === null) return "bill";
  return history.billedFingerprint === fingerprintNow ? "done" : "rebill";
}
