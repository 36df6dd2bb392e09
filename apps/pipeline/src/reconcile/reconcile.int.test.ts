import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  type BillingRow,
  finishBatchRun,
  listBatchRuns,
  listReconciliationResults,
  replaceBillingDay,
  startBatchRun,
} from "@adclick/db/queries";
import { dayCounterKey, dayStartMs, isoDay } from "@adclick/shared";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickRecord } from "../../../../test/click-record";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { daysBetween } from "../batch";
import { encodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import { segmentFileKey } from "../lake/lake-layout";
import { createLogger } from "../runtime/logger";
import { createBatchScheduler } from "../schedule/batch-scheduler";
import { reconcileDay } from "./reconcile";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/adclick.mjs");
// Yesterday (UTC): its live day totals are still there (they expire 72 h after the day ends).
const DAY_MS = dayStartMs(Date.now()) - 86_400_000;
const DAY = isoDay(DAY_MS);

const row = (campaignId: string, clicks: number): BillingRow => ({
  campaignId,
  advertiserId: "adv-1",
  dimension: "all",
  clicks,
  uniqueUsers: 1,
  costMicros: clicks * 1000,
  fraudClicks: 0,
  suspiciousClicks: 0,
});

describe("reconciliation and the nightly schedule", () => {
  let stack: TestStack;
  let conn: DbConnection;
  let redis: Redis;
  const logger = createLogger("silent");

  beforeAll(async () => {
    stack = await createTestStack();
    conn = connectDb(stack.config.DATABASE_URL, { max: 3 });
    redis = new Redis(stack.config.REDIS_URL);
  });

  afterAll(async () => {
    redis?.disconnect();
    await conn?.close();
    await stack?.cleanup();
  });

  const setLive = async (campaignId: string, clicks: number) => {
    await redis.hset(dayCounterKey(campaignId, DAY_MS, "all"), {
      clicks,
      cost_micros: clicks * 1000,
    });
  };

  const cli = (day: string, args: string[] = []) =>
    spawnSync(process.execPath, [BIN, "reconcile", "--date", day, ...args], {
      env: { ...process.env, ...stack.env },
      encoding: "utf8",
    });

  it("passes at 1% and fails at 6% injected discrepancy, naming the campaign: an error log, metrics and exit 1", async () => {
    await replaceBillingDay(
      conn.pool,
      DAY,
      [row("cmp-exact", 5000), row("cmp-one", 10_000), row("cmp-six", 10_000)],
      null,
    );
    await setLive("cmp-exact", 5000);
    await setLive("cmp-one", 10_100);
    await setLive("cmp-six", 10_000);
    const registry = new Registry();
    const lines: string[] = [];
    const captured = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
    const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const deps = { db: conn.db, redis, logger: captured, registry };
    const ok = await reconcileDay(deps, DAY);
    expect(ok.exceeded).toEqual([]);
    expect(ok.campaigns.find((c) => c.campaignId === "cmp-one")?.discrepancy).toBeCloseTo(0.01);
    expect(logs().map((l) => [l.level, l.msg])).toEqual([[30, "reconciliation passed"]]);
    expect(await registry.getSingleMetricAsString("adclick_reconciliation_alerts_total")).toMatch(
      / 0$/m,
    );

    await setLive("cmp-six", 10_600);
    const bad = await reconcileDay(deps, DAY);
    expect(bad.exceeded.map((c) => c.campaignId)).toEqual(["cmp-six"]);
    const alert = logs()[1]!;
    expect(alert).toMatchObject({
      level: 50,
      alert: "reconciliation_discrepancy",
      day: DAY,
      threshold: 0.05,
      campaigns: [{ campaignId: "cmp-six", live: 10_600, billed: 10_000 }],
      msg: `reconciliation alert: cmp-six (6.00%: live 10600, billed 10000) differ by more than 5.00% between live counters and billing for ${DAY}`,
    });
    expect(await registry.getSingleMetricAsString("adclick_reconciliation_alerts_total")).toMatch(
      / 1$/m,
    );
    expect(
      await registry.getSingleMetricAsString("adclick_reconciliation_campaigns_over_threshold"),
    ).toMatch(/ 1$/m);
    expect(
      await registry.getSingleMetricAsString("adclick_reconciliation_max_discrepancy_ratio"),
    ).toMatch(/ 0\.06$/m);
    const stored = await listReconciliationResults(conn.db, DAY, true);
    expect(stored.map((r) => [r.campaignId, r.liveClicks, r.billedClicks])).toEqual([
      ["cmp-six", 10_600, 10_000],
    ]);
  });

  it("exits 1 naming only the campaigns over the threshold, 0 under a lenient one", () => {
    const failed = cli(DAY);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `^adclick: reconciliation of ${DAY} failed: cmp-six \\(6\\.00%: live 10600, billed 10000\\) differ by more than 5\\.00%$`,
        "m",
      ),
    );
    expect(failed.stderr).not.toMatch(/cmp-one/);
    const lenient = cli(DAY, ["--threshold", "7"]);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toContain(`reconciliation of ${DAY} passed: 3 campaigns within 7.00%\n`);
  }, 60_000);

  it('says "no live data" for a day whose live totals have expired (72 h after it ends), exit 3, no alert', async () => {
    // Four days ago: it ended more than 72 h ago, even at 23:59 today.
    const oldMs = DAY_MS - 3 * 86_400_000;
    const old = isoDay(oldMs);
    await replaceBillingDay(conn.pool, old, [row("cmp-old", 500)], null);
    // A live total that outlived its expiry must not be compared either.
    await redis.hset(dayCounterKey("cmp-old", oldMs, "all"), { clicks: 1, cost_micros: 1000 });
    const registry = new Registry();
    const report = await reconcileDay({ db: conn.db, redis, logger, registry }, old);
    expect(report).toMatchObject({ day: old, liveData: false, campaigns: [], exceeded: [] });
    expect(await registry.getSingleMetricAsString("adclick_reconciliation_alerts_total")).toMatch(
      / 0$/m,
    );
    expect(await listReconciliationResults(conn.db, old)).toEqual([]);

    const r = cli(old);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(
        `^adclick: reconciliation of ${old}: no live data \\(live day totals expire 72 h after the day ends\\); nothing compared$`,
        "m",
      ),
    );
    expect(await listReconciliationResults(conn.db, old)).toEqual([]);
  }, 60_000);

  it("catches up missed nights at start, then reconciles them", async () => {
    // The last billed day is older than the open week: every day since is billed.
    const lastRun = await startBatchRun(conn.db, "2026-02-20");
    await finishBatchRun(conn.db, lastRun, {
      eventsIn: 0,
      duplicates: 0,
      fraudRemoved: 0,
      rowsOut: 0,
      durationMs: 1,
    });
    const lake = new FileLakeStore(stack.lakeDir);
    const ts = Date.parse("2026-03-04T12:00:00Z");
    const records = [0, 1, 2].map((i) =>
      clickRecord(ts + i, {
        event_id: `r-${i}`,
        user_id: `u-${i}`,
        campaign_id: "cmp-r",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
      }),
    );
    await lake.put(segmentFileKey("raw", ts, 0, "0", "2"), encodeClicks(records));
    await redis.hset(dayCounterKey("cmp-r", Date.parse("2026-03-04T00:00:00Z"), "all"), {
      clicks: 3,
      cost_micros: 3 * records[0]!.cost_micros,
    });
    // A live total of a day past its 72 h is not compared, though it is still there.
    await redis.hset(dayCounterKey("cmp-r", Date.parse("2026-03-01T00:00:00Z"), "all"), {
      clicks: 99,
      cost_micros: 99,
    });
    const scheduler = createBatchScheduler({
      config: stack.config,
      logger,
      registry: new Registry(),
      cwd: process.cwd(),
      batchAt: "02:00",
      now: () => Date.parse("2026-03-05T03:00:00Z"),
    });
    await scheduler.start();
    const expected = daysBetween("2026-02-20", "2026-03-04");
    const deadline = Date.now() + 60_000;
    let days: string[] = [];
    while (Date.now() < deadline) {
      days = [
        ...new Set(
          (await listBatchRuns(conn.db, 100))
            .filter((r) => r.status === "succeeded")
            .map((r) => r.day),
        ),
      ].sort();
      if (
        days.length >= expected.length &&
        (await listReconciliationResults(conn.db, "2026-03-04")).length
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await scheduler.stop();
    expect(days).toEqual(expected);
    const results = await listReconciliationResults(conn.db, "2026-03-04");
    expect(
      results.map((r) => [
        r.campaignId,
        r.liveClicks,
        r.billedClicks,
        r.discrepancy,
        r.thresholdExceeded,
      ]),
    ).toEqual([["cmp-r", 3, 3, 0, false]]);
    expect(await listReconciliationResults(conn.db, "2026-03-01")).toEqual([]);
  }, 90_000);
});
