/**
 * Compares what a sink holds with what the ingest acknowledged, as multisets:
 * every acknowledged event must be there exactly once. Comparing sizes, or
 * checking that each event found was acknowledged, passes with one duplicate
 * and one loss; this counts both.
 */

export interface ExactlyOnceReport {
  /** Distinct acknowledged events. */
  expected: number;
  /** Events the sink holds, copies included. */
  found: number;
  /** Acknowledged events the sink does not hold. */
  lost: string[];
  /** Events the sink holds more than once, one entry per extra copy. */
  duplicated: string[];
  /** Events the sink holds that were never acknowledged. */
  unexpected: string[];
}

/** The identity of an event (C1): the pair (partner_id, event_id). */
export const eventIdentity = (partnerId: string, eventId: string): string =>
  `${partnerId}/${eventId}`;

export function compareExactlyOnce(
  acknowledged: Iterable<string>,
  held: Iterable<string>,
): ExactlyOnceReport {
  const expected = new Set(acknowledged);
  const copies = new Map<string, number>();
  let found = 0;
  for (const id of held) {
    found++;
    copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const lost = [...expected].filter((id) => !copies.has(id));
  const duplicated: string[] = [];
  const unexpected: string[] = [];
  for (const [id, n] of copies) {
    for (let i = 1; i < n; i++) duplicated.push(id);
    if (!expected.has(id)) unexpected.push(id);
  }
  return { expected: expected.size, found, lost, duplicated, unexpected };
}

/** "lost = 0, duplicated = 0" (the line every fault test prints), with the first few of each. */
export function describeExactlyOnce(what: string, r: ExactlyOnceReport): string {
  const sample = (ids: string[]) => (ids.length ? ` [${ids.slice(0, 5).join(", ")}]` : "");
  return `${what}: lost = ${r.lost.length}${sample(r.lost)}, duplicated = ${r.duplicated.length}${sample(r.duplicated)}, unexpected = ${r.unexpected.length}${sample(r.unexpected)} (${r.found} held, ${r.expected} acknowledged)`;
}
