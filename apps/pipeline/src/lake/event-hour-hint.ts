export const HOUR_MS = 3_600_000;
const TS_KEY = Buffer.from('"ts":');
const MAX_DIGITS = 16;

/**
 * The event hour (epoch ms of its start) a raw click's JSON names, read from
 * the bytes without parsing them: the integer after the last `"ts":` key
 * (it cannot occur inside a string, where quotes are escaped). Searched from
 * the end because a click's `ts` sits in its last third: half the cost of a
 * forward search. Only a hint for grouping a segment by hour (the writer
 * checks the files it wrote against it, so a nested `ts` misleads nothing);
 * null when the value does not have that plain shape.
 */
export function eventHourHint(value: Buffer): number | null {
  const key = value.lastIndexOf(TS_KEY);
  if (key < 0) return null;
  let i = key + TS_KEY.length;
  while (i < value.length && isSpace(value[i]!)) i++;
  const negative = value[i] === 0x2d;
  if (negative) i++;
  const start = i;
  let n = 0;
  while (i < value.length && value[i]! >= 0x30 && value[i]! <= 0x39 && i - start < MAX_DIGITS) {
    n = n * 10 + (value[i]! - 0x30);
    i++;
  }
  if (i === start) return null;
  const end = value[i];
  if (end !== 0x2c && end !== 0x7d && !(end !== undefined && isSpace(end))) return null;
  return hourStartOf(negative ? -n : n);
}

/** Start of the UTC hour holding `ms` (epoch ms). */
export function hourStartOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
