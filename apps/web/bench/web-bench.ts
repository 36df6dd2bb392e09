/**
 * `npm run bench -- web`: p50/p95/p99 of the campaign-list and live-chart
 * procedures, called in-process through tRPC (as a server component would),
 * with 1,000 campaigns of one advertiser and a full day of 5-minute windows of
 * each in Redis. Runs on its own throwaway database and Redis database index;
 * prints figures, asserts nothing. Target: p95 < 50 ms each.
 */
import { appendFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser } from "@adclick/db/queries";
import { campaigns } from "@adclick/db/schema";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { DAY_MS, dayCounterKey, WINDOW_MS, windowCounterKey, windowStartMs } from "@adclick/shared";
import { Redis } from "ioredis";
import { createTestStack } from "../../../test/stack";
import type { Session } from "../src/server/auth/session-user";
import { makeCampaignsRouter } from "../src/server/routers/campaigns";
import { createCallerFactory, createTRPCRouter } from "../src/server/trpc";

const CAMPAIGNS = Number(process.env.BENCH_CAMPAIGNS ?? 1000);
const WINDOWS = 288;
const LIST_CALLS = 200;
const CHART_CALLS = 500;
/** `--figures <file>`: the suite's figures file (apps/pipeline/src/bench/figures.ts), one JSON line per figure. */
const figuresAt = process.argv.indexOf("--figures");
const FIGURES_FILE = figuresAt > 0 ? process.argv[figuresAt + 1] : undefined;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, calls: number, fn: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 20; i++) await fn(i); // warm-up: JIT, pools, prepared plans
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(6);
  console.log(
    `${label.padEnd(44)} p50 ${f(percentile(ms, 50))} ms  p95 ${f(percentile(ms, 95))} ms  p99 ${f(percentile(ms, 99))} ms  (${calls} calls)`,
  );
  return percentile(ms, 95);
}

async function main(): Promise<void> {
  const stack = await createTestStack();
  const owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  const web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  const redis = new Redis(stack.config.REDIS_URL);
  try {
    const ids = Array.from({ length: CAMPAIGNS }, (_, i) => `bench-c${String(i).padStart(4, "0")}`);
    await createAdvertiser(owner.db, { id: "bench", name: "Bench advertiser" });
    await owner.db.insert(campaigns).values(
      ids.map((id, i) => ({
        id,
        advertiserId: "bench",
        name: `Bench campaign ${i}`,
        cpcMicros: 500_000,
        landingUrl: "https://example.com/",
      })),
    );

    const now = Date.now();
    const last = windowStartMs(now);
    const t0 = performance.now();
    for (let c = 0; c < ids.length; c += 50) {
      const pipe = redis.pipeline();
      for (const id of ids.slice(c, c + 50)) {
        for (let w = 0; w < WINDOWS; w++) {
          const clicks = 1 + ((w * 7 + c) % 40);
          pipe.hset(windowCounterKey(id, last - w * WINDOW_MS, "all"), {
            clicks,
            unique_users: clicks - (clicks >> 3),
            cost_micros: clicks * 500_000,
            suspicious: clicks >> 4,
            fraud: w % 5,
          });
        }
        for (const day of [now, now - DAY_MS])
          pipe.hset(dayCounterKey(id, day, "all"), {
            clicks: 5_000,
            unique_users: 4_000,
            cost_micros: 2_500_000_000,
            suspicious: 50,
            fraud: 120,
          });
      }
      await pipe.exec();
    }
    const keys = await redis.dbsize();
    console.log(
      `adclick bench web — ${CAMPAIGNS} campaigns of one advertiser, ${WINDOWS} windows each: ${keys.toLocaleString("en-US")} Redis keys written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const session: Session = {
      user: { id: 1, email: "bench@example.com", role: "advertiser", advertiserId: "bench" },
    };
    const live = { redis, topicPrefix: stack.topicPrefix, numPartitions: 8 };
    const router = createTRPCRouter({ campaigns: makeCampaignsRouter(() => live) });
    const caller = createCallerFactory(router)({ session, db: web.db, source: "bench" }).campaigns;

    const list = await caller.list();
    if (list.campaigns.length !== CAMPAIGNS)
      throw new Error(`listed ${list.campaigns.length} campaigns`);
    const series = await caller.liveSeries({ id: ids[0]! });
    if (series.windows.length !== WINDOWS) throw new Error(`read ${series.windows.length} windows`);

    const listP95 = await measure(
      `campaigns.list (${CAMPAIGNS} campaigns, today's totals)`,
      LIST_CALLS,
      () => caller.list(),
    );
    const chartP95 = await measure(
      "campaigns.liveSeries (288 windows, one campaign)",
      CHART_CALLS,
      (i) => caller.liveSeries({ id: ids[(i * 37) % ids.length]! }),
    );
    if (FIGURES_FILE)
      appendFileSync(
        FIGURES_FILE,
        [
          { id: "web.list.p95_ms", value: listP95, unit: "ms", note: `${CAMPAIGNS} campaigns` },
          { id: "web.live_series.p95_ms", value: chartP95, unit: "ms" },
        ]
          .map((f) => `${JSON.stringify(f)}\n`)
          .join(""),
      );
    console.log(
      `target p95 < 50 ms: campaigns.list ${listP95 < 50 ? "met" : "NOT met"}, campaigns.liveSeries ${chartP95 < 50 ? "met" : "NOT met"}`,
    );
  } finally {
    await redis.quit();
    await web.close();
    await owner.close();
    await stack.cleanup();
  }
}

main().catch((err) => {
  console.error(`bench web failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
