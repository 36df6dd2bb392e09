/** Window maths for the 5-minute tumbling windows and day totals (C3). All UTC. */
export const WINDOW_MS = 5 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

export function windowStartMs(tsMs: number): number {
  return tsMs - mod(tsMs, WINDOW_MS);
}

export function dayStartMs(tsMs: number): number {
  return tsMs - mod(tsMs, DAY_MS);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYYMMDDHHmm`, the C3 spelling of a 5-minute window. */
export function windowKey(windowStart: number): string {
  const d = new Date(windowStart);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

/** `YYYYMMDD`, the C3 spelling of a day total. */
export function dayKey(tsMs: number): string {
  const d = new Date(tsMs);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** `YYYY-MM-DD` for a UTC day. */
export function isoDay(tsMs: number): string {
  return new Date(dayStartMs(tsMs)).toISOString().slice(0, 10);
}

/** Parses `YYYYMMDDHHmm` or `YYYYMMDD` back to epoch ms. */
export function parseWindowKey(key: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2}))?$/.exec(key);
  if (!m) throw new Error(`window key must be YYYYMMDDHHmm or YYYYMMDD, got "${key}"`);
  return Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
  );
}

/** Parses a `YYYY-MM-DD` date argument to the epoch ms of its UTC midnight. */
export function parseIsoDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new Error(`date must be YYYY-MM-DD, got "${day}"`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (isoDay(ms) !== day) throw new Error(`date ${day} does not exist`);
  return ms;
}
