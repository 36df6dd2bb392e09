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
import { dayCounterKey } from "@adclick/shared";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createLogger } from "../runtime/logger";
import { createBatchScheduler } from "../schedule/batch-scheduler";
import { reconcileDay } from "./reconcile";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/adclick.mjs");
const DAY = "2026-01-31";
const DAY_MS = Date.UTC(2026, 0, 31);

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

  it("passes at 1% and fails at 6% injected discrepancy, naming the campaign", async () => {
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
    const ok = await reconcileDay({ db: conn.db, redis, logger, registry }, DAY);
    expect(ok.exceeded).toEqual([]);
    expect(ok.campaigns.find((c) => c.campaignId === "cmp-one")?.discrepancy).toBeCloseTo(0.01);

    await setLive("cmp-six", 10_600);
    const bad = await reconcileDay({ db: conn.db, redis, logger, registry }, DAY);
    expect(bad.exceeded.map((c) => c.campaignId)).toEqual(["cmp-six"]);
    expect(await registry.getSingleMetricAsString("adclick_reconciliation_alerts_total")).toMatch(
      / 1$/m,
    );
    const stored = await listReconciliationResults(conn.db, DAY, true);
    expect(stored.map((r) => [r.campaignId, r.liveClicks, r.billedClicks])).toEqual([
      ["cmp-six", 10_600, 10_000],
    ]);

    const cli = (args: string[]) =>
      spawnSync(process.execPath, [BIN, "reconcile", "--date", DAY, ...args], {
        env: { ...process.env, ...stack.env },
        encoding: "utf8",
      });
    const failed = cli([]);
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/cmp-six/);
    expect(failed.stderr).not.toMatch(/cmp-one/);
    const lenient = cli(["--threshold", "7"]);
    expect(lenient.status).toBe(0);
    expect(lenient.stdout).toMatch(/passed/);
  }, 60_000);

  it("catches up missed nights at start, then reconciles them", async () => {
    const lastRun = await startBatchRun(conn.db, "2026-03-02");
    await finishBatchRun(conn.db, lastRun, {
      eventsIn: 0,
      duplicates: 0,
      fraudRemoved: 0,
      rowsOut: 0,
      durationMs: 1,
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
    const deadline = Date.now() + 60_000;
    let days: string[] = [];
    while (Date.now() < deadline) {
      days = (await listBatchRuns(conn.db))
        .filter((r) => r.status === "succeeded")
        .map((r) => r.day)
        .sort();
      if (days.length >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await scheduler.stop();
    expect(days).toEqual(["2026-03-02", "2026-03-03", "2026-03-04"]);
  }, 90_000);
});
