/**
 * Load generator for `adclick bench ingest`, run as a child process so its CPU
 * is not counted against the ingest. Prints one JSON line of results.
 *
 * Closed loop (rate 0): `concurrency` connections post back to back.
 * Open loop (rate > 0): requests start on a fixed schedule and latency is
 * measured from the scheduled start, so a stall is not hidden (no coordinated
 * omission).
 */
import { Agent, request } from "node:http";

interface LoadArgs {
  url: string;
  apiKey: string;
  batch: number;
  concurrency: number;
  durationMs: number;
  /** Events per second; 0 = as fast as possible. */
  ratePerSec: number;
  campaigns: number;
  runId: string;
}

const args = JSON.parse(process.argv[2] ?? "{}") as LoadArgs;
const target = new URL(`${args.url}/v1/clicks`);
const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let seq = 0;
let events = 0;

const UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

function body(): string {
  const parts: string[] = [];
  const ts = Date.now();
  for (let i = 0; i < args.batch; i++) {
    seq++;
    parts.push(
      `{"event_id":"${args.runId}-${seq}","campaign_id":"bench-c${seq % args.campaigns}","ad_id":"ad-${seq % 7}","user_id":"u-${seq % 100000}","ip":"81.2.${seq % 250}.${(seq >> 8) % 250}","user_agent":"${UA}","ts":${ts},"country":"GB","publisher_id":"pub-${seq % 9}"}`,
    );
  }
  return args.batch === 1 ? parts[0]! : `[${parts.join(",")}]`;
}

function post(scheduledAt: number): Promise<void> {
  const payload = body();
  return new Promise((resolve) => {
    const req = request(
      target,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${args.apiKey}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          const status = String(res.statusCode);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (res.statusCode === 202) {
            events += args.batch;
            latencies.push(performance.now() - scheduledAt);
          }
          resolve();
        });
      },
    );
    req.on("error", () => {
      statuses.error = (statuses.error ?? 0) + 1;
      resolve();
    });
    req.end(payload);
  });
}

const started = performance.now();
const end = started + args.durationMs;
if (args.ratePerSec > 0) {
  const intervalMs = (1000 * args.batch) / args.ratePerSec;
  const outstanding = new Set<Promise<void>>();
  let next = started;
  while (next < end) {
    const now = performance.now();
    while (next <= now && next < end) {
      if (outstanding.size < 4096) {
        const p: Promise<void> = post(next).finally(() => outstanding.delete(p));
        outstanding.add(p);
      } else statuses.skipped = (statuses.skipped ?? 0) + 1;
      next += intervalMs;
    }
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, next - performance.now()))));
  }
  await Promise.all(outstanding);
} else {
  await Promise.all(
    Array.from({ length: args.concurrency }, async () => {
      while (performance.now() < end) await post(performance.now());
    }),
  );
}
const elapsedMs = performance.now() - started;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({ events, elapsedMs, statuses, p50Ms: pct(0.5), p99Ms: pct(0.99) })}\n`,
);
agent.destroy();
