/**
 * The soak's verdict: the live counters (clicks + fraud, per campaign and
 * 5-minute window) against the exact count of what the ingest acknowledged.
 * A cell over its acknowledged count is explained, up to the events of that
 * cell whose requests got no answer (they may have been written), and is a
 * duplicate past that. Pure.
 */

export interface CounterComparison {
  cells: number;
  expected: number;
  counted: number;
  lost: number;
  duplicated: number;
  /** Counted events whose request got no 202 (sent, maybe written, never acknowledged). */
  countedUnacknowledged: number;
  /** The first few cells that differ, for the report. */
  mismatches: Array<{ cell: string; expected: number; counted: number }>;
}

export function compareCounters(
  expected: ReadonlyMap<string, number>,
  unacknowledged: ReadonlyMap<string, number>,
  counted: ReadonlyMap<string, number>,
): CounterComparison {
  const out: CounterComparison = {
    cells: 0,
    expected: 0,
    counted: 0,
    lost: 0,
    duplicated: 0,
    countedUnacknowledged: 0,
    mismatches: [],
  };
  for (const cell of new Set([...expected.keys(), ...counted.keys()])) {
    const want = expected.get(cell) ?? 0;
    const got = counted.get(cell) ?? 0;
    out.cells++;
    out.expected += want;
    out.counted += got;
    if (got < want) out.lost += want - got;
    else {
      const explained = Math.min(got - want, unacknowledged.get(cell) ?? 0);
      out.countedUnacknowledged += explained;
      out.duplicated += got - want - explained;
    }
    if (got !== want && out.mismatches.length < 10)
      out.mismatches.push({ cell, expected: want, counted: got });
  }
  return out;
}

/** Adds one to `cell` of a count map. */
export function bump(map: Map<string, number>, cell: string): void {
  map.set(cell, (map.get(cell) ?? 0) + 1);
}
