/**
 * An open-model sender: each request goes out when its events are due,
 * whatever the earlier requests are doing, so a slow ingest shows as latency
 * and errors instead of slowing the load down (no coordinated omission).
 * Latency is measured from the request's scheduled time. Events are batched
 * per partner, up to `batchSize`; nothing is retried (the simulator's own
 * retries are events of their own).
 */
import { Agent, request } from "node:http";
import type { SimEvent } from "../simulate/generate-traffic";

export interface OpenLoadOptions {
  /** Base URL of the ingest. */
  url: string;
  apiKeys: ReadonlyMap<string, string>;
  batchSize: number;
  /** A request unanswered after this long counts as an error. */
  timeoutMs: number;
  /** Requests outstanding at most; past it a due request is dropped and counted as an error. */
  maxOutstanding: number;
  onAcknowledged: (event: SimEvent) => void;
  onUnacknowledged: (event: SimEvent) => void;
}

export interface OpenLoadStats {
  requests: number;
  events: number;
  acknowledged: number;
  /** Per-event rejections inside 202 answers. */
  rejected: number;
  /** Requests without a 202: other statuses, network errors, timeouts, drops. */
  failedRequests: number;
  statuses: Record<string, number>;
  /** Milliseconds from the scheduled send to the 202, one per answered request. */
  latenciesMs: number[];
  firstSendMs: number;
  lastSendMs: number;
}

/** Sends `events` (in send order) on their schedule; resolves when every request is answered. */
export async function sendOpenLoad(
  events: Iterable<SimEvent>,
  o: OpenLoadOptions,
): Promise<OpenLoadStats> {
  const target = new URL(`${o.url}/v1/clicks`);
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxOutstanding });
  const stats: OpenLoadStats = {
    requests: 0,
    events: 0,
    acknowledged: 0,
    rejected: 0,
    failedRequests: 0,
    statuses: {},
    latenciesMs: [],
    firstSendMs: 0,
    lastSendMs: 0,
  };
  const outstanding = new Set<Promise<void>>();
  const count = (status: string) => (stats.statuses[status] = (stats.statuses[status] ?? 0) + 1);

  const post = (partnerId: string, batch: SimEvent[], scheduledAt: number): Promise<void> =>
    new Promise((resolve) => {
      const payload = JSON.stringify(batch.map((e) => e.body));
      const fail = (status: string) => {
        count(status);
        stats.failedRequests++;
        for (const e of batch) o.onUnacknowledged(e);
        resolve();
      };
      const req = request(
        target,
        {
          method: "POST",
          agent,
          timeout: o.timeoutMs,
          headers: {
            authorization: `Bearer ${o.apiKeys.get(partnerId)}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 202) return fail(String(res.statusCode));
            count("202");
            stats.latenciesMs.push(performance.now() - scheduledAt);
            const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
              rejected: Array<{ index: number }>;
            };
            const rejected = new Set(answer.rejected.map((r) => r.index));
            stats.rejected += rejected.size;
            batch.forEach((e, i) => {
              if (rejected.has(i)) o.onUnacknowledged(e);
              else {
                stats.acknowledged++;
                o.onAcknowledged(e);
              }
            });
            resolve();
          });
          res.on("error", () => fail("error"));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (err) => fail(err.message === "timeout" ? "timeout" : "error"));
      req.end(payload);
    });

  const send = (partnerId: string, batch: SimEvent[], dueWallMs: number) => {
    stats.requests++;
    stats.events += batch.length;
    // Scheduled time on the monotonic clock: the wall-clock due time mapped onto it.
    const scheduledAt = performance.now() - Math.max(0, Date.now() - dueWallMs);
    if (outstanding.size >= o.maxOutstanding) {
      count("dropped");
      stats.failedRequests++;
      for (const e of batch) o.onUnacknowledged(e);
      return;
    }
    const p: Promise<void> = post(partnerId, batch, scheduledAt).finally(() =>
      outstanding.delete(p),
    );
    outstanding.add(p);
  };

  const open = new Map<string, SimEvent[]>();
  const iterator = events[Symbol.iterator]();
  let pending: SimEvent | null = null;
  for (;;) {
    const now = Date.now();
    let done = false;
    for (;;) {
      if (!pending) {
        const next = iterator.next();
        if (next.done) {
          done = true;
          break;
        }
        pending = next.value;
      }
      if (pending.sendAtMs > now) break;
      stats.firstSendMs ||= now;
      const list = open.get(pending.partnerId) ?? [];
      list.push(pending);
      if (list.length >= o.batchSize) {
        open.delete(pending.partnerId);
        send(pending.partnerId, list, pending.sendAtMs);
      } else open.set(pending.partnerId, list);
      pending = null;
    }
    // A partial batch waits at most 50 ms past its first event.
    for (const [partnerId, list] of open)
      if (done || now - list[0]!.sendAtMs >= 50) {
        open.delete(partnerId);
        send(partnerId, list, list[0]!.sendAtMs + 50);
      }
    if (done) break;
    const wait = pending ? pending.sendAtMs - Date.now() : 5;
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(5, wait))));
  }
  stats.lastSendMs = Date.now();
  await Promise.all(outstanding);
  agent.destroy();
  return stats;
}
