/**
 * Values passed to a Lua script packed in one argument, one per line (one
 * argument instead of one per value: ioredis's per-argument work is what costs).
 * `scriptField` makes any string safe for that: no newline, never empty, and
 * two different values never become the same field.
 */
export function scriptField(value: string): string {
  if (value === "") return "\\e";
  return NEEDS_ESCAPE.test(value) ? value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n") : value;
}

const NEEDS_ESCAPE = /[\n\\]/;

/** The distinct values of a chunk in first-seen order, with their counts, packed for a script. */
export class DistinctValues {
  private readonly index = new Map<string, number>();
  readonly counts: number[] = [];
  /** `scriptField` of each distinct value, newline-separated. */
  packed = "";

  /** Counts one occurrence; returns the value's index among the distinct values. */
  add(value: string): number {
    let k = this.index.get(value);
    if (k === undefined) {
      k = this.counts.length;
      this.index.set(value, k);
      this.counts.push(0);
      this.packed += k ? `\n${scriptField(value)}` : scriptField(value);
    }
    this.counts[k]!++;
    return k;
  }
}
