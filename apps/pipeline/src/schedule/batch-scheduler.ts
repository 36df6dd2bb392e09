import { connectDb } from "@adclick/db/client";
import { failAbandonedBatchRuns, listSucceededBatchDays } from "@adclick/db/queries";
import type { Config } from "@adclick/shared";
import { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { runBatch } from "../batch/batch-job";
import { openLake } from "../lake";
import { reconcileDay } from "../reconcile/reconcile";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { catchUpWindowStart, dueDays, nextRunAt } from "./nightly-schedule";

export interface BatchSchedulerDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  cwd: string;
  /** HH:MM UTC (default config.BATCH_AT). */
  batchAt?: string;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * The nightly schedule inside `adclick run`: at BATCH_AT (UTC) it bills the
 * previous day and reconciles it against the live counters. At start it looks
 * at batch_runs and catches up any missed night first. A reconciliation alert
 * is logged and counted; it does not stop the process.
 */
export function createBatchScheduler(deps: BatchSchedulerDeps): Component {
  const batchAt = deps.batchAt ?? deps.config.BATCH_AT;
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ role: "batch-scheduler" });
  let conn: ReturnType<typeof connectDb> | null = null;
  let redis: Redis | null = null;
  let lake: ReturnType<typeof openLake> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const runDue = async (): Promise<void> => {
    const db = conn!.db;
    // A run left "running" by a process that died is retried.
    await failAbandonedBatchRuns(db, 6 * 60);
    const succeeded = await listSucceededBatchDays(db, catchUpWindowStart(now(), batchAt));
    for (const day of dueDays(now(), batchAt, succeeded)) {
      if (stopped) return;
      logger.info({ day }, "nightly batch starting");
      await runBatch({ db, pool: conn!.pool, lake: lake!, logger }, day);
      if (stopped) return;
      await reconcileDay({ db, redis: redis!, logger, registry: deps.registry }, day);
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    // Wake at the batch time, but at least hourly so a changed clock is noticed.
    const delay = Math.min(nextRunAt(now(), batchAt) - now(), 3_600_000);
    timer = setTimeout(
      () => {
        running = runDue()
          .catch((err) =>
            logger.error({ err }, "nightly batch failed; retried at the next wake-up"),
          )
          .finally(schedule);
      },
      Math.max(delay, 1000),
    );
    timer.unref();
  };

  return {
    name: "batch-scheduler",
    async start() {
      conn = connectDb(deps.config.DATABASE_URL, {
        max: 2,
        applicationName: "adclick-batch-scheduler",
      });
      redis = new Redis(deps.config.REDIS_URL, { maxRetriesPerRequest: 3 });
      lake = openLake(deps.config, deps.cwd);
      // Catch up in the background so the other roles are not held up.
      running = runDue()
        .catch((err) => logger.error({ err }, "catch-up batch failed; retried at the next wake-up"))
        .finally(schedule);
    },
    ready: () => !stopped,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (timer) clearTimeout(timer);
      redis?.disconnect();
      await lake?.close();
      await conn?.close();
    },
  };
}
