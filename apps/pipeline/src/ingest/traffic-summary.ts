import type { Counter } from "prom-client";
import type { Logger } from "../runtime/logger";

export type TrafficTotals = Record<string, number>;

/** Sums a counter's values by its `outcome` label, over every partner. */
export async function totalsByOutcome(
  events: Counter<"partner" | "outcome">,
): Promise<TrafficTotals> {
  const totals: TrafficTotals = {};
  for (const { labels, value } of (await events.get()).values) {
    const outcome = String(labels.outcome ?? "unknown");
    totals[outcome] = (totals[outcome] ?? 0) + value;
  }
  return totals;
}

/** What changed between two readings; null when nothing did. */
export function trafficSince(before: TrafficTotals, now: TrafficTotals): TrafficTotals | null {
  const delta: TrafficTotals = {};
  let any = false;
  for (const [outcome, value] of Object.entries(now)) {
    const d = value - (before[outcome] ?? 0);
    if (d > 0) {
      delta[outcome] = d;
      any = true;
    }
  }
  return any ? delta : null;
}

/**
 * One "ingest traffic" line per interval in which events arrived, in place of a
 * line per request (those are at debug level): a busy ingest stays readable.
 * Returns the function that stops it.
 */
export function startTrafficSummary(
  events: Counter<"partner" | "outcome">,
  logger: Logger,
  intervalMs: number,
): () => void {
  let last: TrafficTotals = {};
  const timer = setInterval(() => {
    totalsByOutcome(events)
      .then((now) => {
        const delta = trafficSince(last, now);
        last = now;
        if (delta) logger.info({ seconds: intervalMs / 1000, events: delta }, "ingest traffic");
      })
      .catch((err: Error) => logger.warn({ err: err.message }, "traffic summary failed"));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
