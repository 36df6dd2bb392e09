/**
 * Posts generated traffic to the ingest in real time: each event is sent at its
 * `sendAtMs`, batched per partner, with 429/503 and network errors retried
 * after Retry-After so the ground truth holds. Apart from the generator, so
 * tests and benchmarks can use the generator alone.
 */
import type { SimEvent } from "./generate-traffic";

export interface SenderOptions {
  /** Base URL of the ingest, e.g. http://127.0.0.1:8080 */
  url: string;
  /** partner id -> API key */
  apiKeys: ReadonlyMap<string, string>;
  batchSize: number;
  /** Most requests in flight at once. */
  concurrency: number;
  /** Due events wait up to this long to fill a batch (default 100 ms). */
  lingerMs?: number;
  /** Called for every event the ingest acknowledged (accepted or reported duplicate). */
  onAcknowledged: (event: SimEvent) => void;
  /** Stops sending new events when aborted (in-flight requests finish). */
  signal?: AbortSignal;
  maxAttempts?: number;
}

export interface SendStats {
  requests: number;
  events: number;
  acknowledged: number;
  rejected: number;
  failed: number;
  statuses: Record<string, number>;
}

export async function sendTraffic(
  events: Iterable<SimEvent>,
  options: SenderOptions,
): Promise<SendStats> {
  const stats: SendStats = {
    requests: 0,
    events: 0,
    acknowledged: 0,
    rejected: 0,
    failed: 0,
    statuses: {},
  };
  const iterator = events[Symbol.iterator]();
  let pending: SimEvent | null = null;
  let exhausted = false;
  const inFlight = new Set<Promise<void>>();
  const maxAttempts = options.maxAttempts ?? 10;

  const post = async (partnerId: string, batch: SimEvent[]): Promise<void> => {
    const key = options.apiKeys.get(partnerId);
    if (!key) throw new Error(`no API key for partner ${partnerId}`);
    const body = JSON.stringify(batch.map((e) => e.body));
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let retryAfterMs = 500 * attempt;
      try {
        stats.requests++;
        const res = await fetch(`${options.url}/v1/clicks`, {
          method: "POST",
          body,
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        });
        status = res.status;
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (status === 202) {
          const result = (await res.json()) as { rejected: Array<{ index: number }> };
          const rejected = new Set(result.rejected.map((r) => r.index));
          stats.rejected += rejected.size;
          batch.forEach((e, i) => {
            if (rejected.has(i)) return;
            stats.acknowledged++;
            options.onAcknowledged(e);
          });
          return;
        }
        await res.arrayBuffer();
        const header = Number(res.headers.get("retry-after"));
        if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000;
      } catch {
        stats.statuses.error = (stats.statuses.error ?? 0) + 1;
      }
      const retryable = status === 0 || status === 429 || status === 503 || status >= 500;
      if (!retryable || attempt >= maxAttempts) {
        stats.failed += batch.length;
        return;
      }
      await new Promise((r) => setTimeout(r, retryAfterMs));
    }
  };

  while (!options.signal?.aborted) {
    const now = Date.now();
    const due = new Map<string, SimEvent[]>();
    for (;;) {
      if (!pending) {
        const next = iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        pending = next.value;
      }
      if (pending.sendAtMs > now) break;
      const list = due.get(pending.partnerId) ?? [];
      list.push(pending);
      due.set(pending.partnerId, list);
      stats.events++;
      pending = null;
    }
    for (const [partnerId, list] of due) {
      for (let i = 0; i < list.length; i += options.batchSize) {
        while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
        const p: Promise<void> = post(partnerId, list.slice(i, i + options.batchSize)).finally(() =>
          inFlight.delete(p),
        );
        inFlight.add(p);
      }
    }
    if (exhausted) break;
    const linger = options.lingerMs ?? 100;
    const wait = pending ? Math.max(linger, pending.sendAtMs - Date.now()) : linger;
    await new Promise((r) => setTimeout(r, Math.min(wait, 1000)));
  }
  await Promise.all(inFlight);
  return stats;
}
