/**
 * The archiver's per-partition memory of the (partner_id, event_id) pairs it
 * has put in the lake, so a second copy of a click in Kafka (an ingest retry
 * after a kill -9 of the ingest or a Redis loss, the aggregator re-producing
 * clicks.fraud after a rebuild or a rebalance) is dropped instead of written
 * again. C1 names the pair as a click's identity; C2 keys put every copy of a
 * click in the same partition (`clicks.raw` by campaign, the fraud topic by
 * event id).
 *
 * Bounded: a window remembers the pairs of the last `size` offsets of its
 * partition and forgets older ones, so a copy more than `size` offsets after
 * the first is written again (the batch still bills it once). Keys go in in
 * offset order, so the oldest is always first in the Map.
 */

/** The identity of a click in a Kafka value, or null when the value is not a plain JSON click. */
export function clickIdentity(value: Buffer | null): string | null {
  if (!value || value.length === 0) return null;
  const partner = plainString(value, PARTNER_KEY);
  const event = plainString(value, EVENT_KEY);
  if (partner !== null && event !== null) return `${partner}\n${event}`;
  // Escapes or spacing the byte scan does not read: parse it.
  try {
    const parsed = JSON.parse(value.toString("utf8")) as {
      partner_id?: unknown;
      event_id?: unknown;
    };
    if (typeof parsed.partner_id === "string" && typeof parsed.event_id === "string")
      return `${parsed.partner_id}\n${parsed.event_id}`;
  } catch {
    // Not JSON: the segment writer counts it as malformed.
  }
  return null;
}

const PARTNER_KEY = Buffer.from('"partner_id":"');
const EVENT_KEY = Buffer.from('"event_id":"');

/**
 * The string after the first `key` (which ends in the opening quote), read
 * from the bytes; null when absent or when it holds an escape. A key pattern
 * cannot occur inside a string value, where quotes are escaped; clicks hold no
 * nested objects with these keys.
 */
function plainString(value: Buffer, key: Buffer): string | null {
  const at = value.indexOf(key);
  if (at < 0) return null;
  const start = at + key.length;
  const end = value.indexOf(0x22, start);
  if (end < 0) return null;
  if (value.subarray(start, end).includes(0x5c)) return null;
  return value.toString("utf8", start, end);
}

export class SeenWindow {
  private readonly offsets = new Map<string, number>();
  private newest = -1;

  /**
   * @param size offsets of the partition remembered (the window).
   * @param through the partition offset this memory is complete up to (exclusive):
   *   every pair in the lake from `through - size` to `through` is in it.
   */
  constructor(
    readonly size: number,
    public through: bigint,
  ) {}

  get count(): number {
    return this.offsets.size;
  }

  has(identity: string): boolean {
    return this.offsets.has(identity);
  }

  /** Remembers a pair written at `offset` (offsets only grow) and forgets what fell out of the window. */
  add(identity: string, offset: number): void {
    if (offset > this.newest) this.newest = offset;
    if (!this.offsets.has(identity)) this.offsets.set(identity, offset);
    const oldest = this.newest - this.size;
    for (const [key, at] of this.offsets) {
      if (at >= oldest) break;
      this.offsets.delete(key);
    }
  }
}
