import { DAY_MS, dayStartMs, isoDay } from "@adclick/shared";

/** How far back a missed night is caught up (Redis day totals live 72 h; the lake keeps everything). */
export const MAX_CATCH_UP_DAYS = 7;

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

/**
 * Days that should be billed now, oldest first: every day after the last
 * succeeded one up to the latest due day (a missed night, or several), at most
 * MAX_CATCH_UP_DAYS back. With no succeeded run in that window (a fresh
 * install) only the latest due day.
 */
export function dueDays(
  nowMs: number,
  batchAt: string,
  succeededDays: readonly string[],
): string[] {
  const latest = latestDueDay(nowMs, batchAt);
  const latestMs = Date.parse(`${latest}T00:00:00Z`);
  const windowStartMs = latestMs - (MAX_CATCH_UP_DAYS - 1) * DAY_MS;
  const done = new Set(succeededDays);
  const inWindow = succeededDays
    .filter((d) => Date.parse(`${d}T00:00:00Z`) >= windowStartMs && d <= latest)
    .sort();
  const last = inWindow.at(-1);
  if (!last) return [latest];
  const days: string[] = [];
  for (let t = Date.parse(`${last}T00:00:00Z`) + DAY_MS; t <= latestMs; t += DAY_MS) {
    const d = isoDay(t);
    if (!done.has(d)) days.push(d);
  }
  return days;
}

/** The first day of the catch-up window, for reading batch_runs. */
export function catchUpWindowStart(nowMs: number, batchAt: string): string {
  const latestMs = Date.parse(`${latestDueDay(nowMs, batchAt)}T00:00:00Z`);
  return isoDay(latestMs - (MAX_CATCH_UP_DAYS - 1) * DAY_MS);
}
