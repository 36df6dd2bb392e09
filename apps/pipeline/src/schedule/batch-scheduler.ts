import { connectDb } from "@adclick/db/client";
import {
  type BatchDayHistory,
  failAbandonedBatchRuns,
  lastBatchSuccessAt,
  lastSucceededBatchDayBefore,
  listBatchDayHistory,
  recordWaitingBatchRun,
} from "@adclick/db/queries";
import { type Config, groupName, topicName } from "@adclick/shared";
import { createRedisClient, type RedisClient } from "@adclick/shared/redis";
import type { Admin } from "kafkajs";
import { Counter, Gauge, type Registry } from "prom-client";
import { dayLakeFiles, lakeFingerprint, runBatch } from "../batch/batch-job";
import { checkLakeComplete, LAKE_GRACE_MS } from "../batch/lake-completeness";
import { createKafka } from "../kafka/client";
import { openLake } from "../lake";
import { reconcileDay } from "../reconcile/reconcile";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { decideDay, dueDays, nextRunAt, oldestOpenDay } from "./nightly-schedule";

export interface BatchSchedulerDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  cwd: string;
  /** HH:MM UTC (default config.BATCH_AT): no day is billed before this time of the next day. */
  batchAt?: string;
  /** Clock, for tests. */
  now?: () => number;
  /** How often the open days are looked at again (default 15 minutes). */
  wakeEveryMs?: number;
  /** A failing day's first retry after this long, doubling up to 6 h (default 15 minutes). */
  retryBaseMs?: number;
  /** A day failing this many times in a row raises an alert (default 3). */
  alertAfterFailures?: number;
  /** C11's grace after a day's end (default 10 minutes). */
  lakeGraceMs?: number;
}

type DayOutcome = "billed" | "done" | "waiting" | "failing";

/**
 * The nightly schedule inside `adclick run` (C11). On every wake-up (at start,
 * then every `wakeEveryMs`) it looks at each open day (the last 7, and every
 * day since the last billed one after a longer outage), each on its own: a day
 * is billed once its batch time has passed and the lake is complete for it
 * (else it waits, saying so in the log, a metric and batch_runs), billed again
 * when the lake has gained files for it, retried with backoff when it fails,
 * and alerted on when it fails `alertAfterFailures` times in a row. A failing
 * day never blocks or skips another. Each billing is followed by its
 * reconciliation, whose alert is logged and counted and stops nothing.
 */
export function createBatchScheduler(deps: BatchSchedulerDeps): Component {
  const batchAt = deps.batchAt ?? deps.config.BATCH_AT;
  const now = deps.now ?? Date.now;
  const wakeEveryMs = deps.wakeEveryMs ?? 15 * 60_000;
  const retryBaseMs = deps.retryBaseMs ?? 15 * 60_000;
  const alertAfter = deps.alertAfterFailures ?? 3;
  const graceMs = deps.lakeGraceMs ?? LAKE_GRACE_MS;
  const logger = deps.logger.child({ role: "batch-scheduler" });
  const metrics = schedulerMetrics(deps.registry);
  const prefix = deps.config.KAFKA_TOPIC_PREFIX;
  const topic = topicName(prefix, "raw");
  const groupId = groupName(prefix, "archiver");
  /** When this process last saw each day fail, by its clock. */
  const failedAt = new Map<string, number>();
  let conn: ReturnType<typeof connectDb> | null = null;
  let redis: RedisClient | null = null;
  let lake: ReturnType<typeof openLake> | null = null;
  let admin: Admin | null = null;
  let adminConnected = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const lakeComplete = async (day: string) => {
    try {
      if (!adminConnected) {
        await admin!.connect();
        adminConnected = true;
      }
      return await checkLakeComplete({ admin: admin!, topic, groupId }, day, now(), graceMs);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        complete: false,
        reason: `lake completeness unknown: cannot read Kafka offsets: ${message}`,
      };
    }
  };

  const handleDay = async (
    day: string,
    history: BatchDayHistory | undefined,
  ): Promise<DayOutcome> => {
    const db = conn!.db;
    const failures = history?.failuresSinceSuccess ?? 0;
    const fingerprint = lakeFingerprint(await dayLakeFiles(lake!, day));
    const decision = decideDay(history, fingerprint, failedAt.get(day) ?? null, now(), retryBaseMs);
    if (decision === "done") return "done";
    if (decision === "backoff") return "failing";
    const completeness = await lakeComplete(day);
    if (!completeness.complete) {
      const reason = completeness.reason ?? "lake incomplete";
      await recordWaitingBatchRun(db, day, reason);
      metrics.runs.inc({ outcome: "waiting" });
      logger.info({ day, reason }, `nightly batch of ${day} waits: ${reason}`);
      return "waiting";
    }
    logger.info({ day, decision }, `nightly batch of ${day} starting (${decision})`);
    try {
      await runBatch({ db, pool: conn!.pool, lake: lake!, logger }, day);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const inARow = failures + 1;
      failedAt.set(day, now());
      metrics.runs.inc({ outcome: "failed" });
      if (inARow >= alertAfter) {
        metrics.alerts.inc();
        logger.error(
          { alert: "batch_day_failing", day, failures: inARow, error: message },
          `nightly batch of ${day} failed ${inARow} times in a row; retried with backoff: ${message}`,
        );
      } else {
        logger.warn(
          { day, failures: inARow, error: message },
          `nightly batch of ${day} failed; retried with backoff`,
        );
      }
      return "failing";
    }
    failedAt.delete(day);
    metrics.runs.inc({ outcome: "billed" });
    metrics.lastBilled.set(Date.now() / 1000);
    try {
      await reconcileDay({ db, redis: redis!, logger, registry: deps.registry, now }, day);
    } catch (err) {
      logger.error(
        { err, day },
        `reconciliation of ${day} failed; it runs again with the next billing`,
      );
    }
    return "billed";
  };

  const runDue = async (): Promise<void> => {
    const db = conn!.db;
    // A run left "running" by a process that died is retried.
    await failAbandonedBatchRuns(db, 6 * 60);
    // The alert's clock survives restarts: the last success is read from batch_runs.
    const lastSuccess = await lastBatchSuccessAt(db);
    if (lastSuccess) metrics.lastBilled.set(lastSuccess.getTime() / 1000);
    const days = dueDays(
      now(),
      batchAt,
      await lastSucceededBatchDayBefore(db, oldestOpenDay(now())),
    );
    const history = days.length ? await listBatchDayHistory(db, days[0]!) : new Map();
    let waiting = 0;
    let failing = 0;
    for (const day of days) {
      if (stopped) return;
      const h = history.get(day);
      let outcome: DayOutcome;
      try {
        outcome = await handleDay(day, h);
      } catch (err) {
        // Postgres or the lake unreachable: this day is tried again at the next wake-up.
        logger.error(
          { err, day },
          `nightly batch of ${day} could not be looked at; tried again at the next wake-up`,
        );
        outcome = "failing";
      }
      if (outcome === "waiting") waiting++;
      // The day's failures in a row after this wake-up, from batch_runs plus this attempt.
      const inARow =
        outcome === "failing" ? (h?.failuresSinceSuccess ?? 0) + (failedAt.has(day) ? 1 : 0) : 0;
      if (outcome === "failing" && inARow >= alertAfter) failing++;
    }
    metrics.waiting.set(waiting);
    metrics.failing.set(failing);
  };

  const schedule = (): void => {
    if (stopped) return;
    const delay = Math.min(nextRunAt(now(), batchAt) - now(), wakeEveryMs);
    timer = setTimeout(
      () => {
        running = runDue()
          .catch((err) =>
            logger.error({ err }, "nightly batch round failed; retried at the next wake-up"),
          )
          .finally(schedule);
      },
      Math.max(delay, 100),
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
      redis = createRedisClient(deps.config, { maxRetriesPerRequest: 3 });
      lake = openLake(deps.config, deps.cwd);
      admin = createKafka(deps.config, "adclick-batch-scheduler").admin();
      // Catch up in the background so the other roles are not held up.
      running = runDue()
        .catch((err) =>
          logger.error({ err }, "catch-up batch round failed; retried at the next wake-up"),
        )
        .finally(schedule);
    },
    ready: () => !stopped,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (timer) clearTimeout(timer);
      if (adminConnected) await admin?.disconnect().catch(() => undefined);
      redis?.disconnect();
      await lake?.close();
      await conn?.close();
    },
  };
}

export function schedulerMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    waiting: get(
      "adclick_batch_days_waiting",
      () =>
        new Gauge({
          name: "adclick_batch_days_waiting",
          help: "Due days not billed because the lake is not complete for them yet (C11)",
          registers: [registry],
        }),
    ),
    failing: get(
      "adclick_batch_days_failing",
      () =>
        new Gauge({
          name: "adclick_batch_days_failing",
          help: "Days whose nightly batch has failed at least the alert number of times in a row",
          registers: [registry],
        }),
    ),
    runs: get(
      "adclick_batch_runs_total",
      () =>
        new Counter({
          name: "adclick_batch_runs_total",
          help: "Nightly batch attempts of a day by outcome: billed, failed, waiting (lake not complete, C11)",
          labelNames: ["outcome"] as const,
          registers: [registry],
        }),
    ),
    lastBilled: get(
      "adclick_batch_last_success_timestamp_seconds",
      () =>
        new Gauge({
          name: "adclick_batch_last_success_timestamp_seconds",
          help: "Unix time at which the latest nightly batch of a day succeeded (from batch_runs; 0 when none ever did)",
          registers: [registry],
        }),
    ),
    alerts: get(
      "adclick_batch_day_alerts_total",
      () =>
        new Counter({
          name: "adclick_batch_day_alerts_total",
          help: "Nightly batch failures of a day that keeps failing (each one past the alert number)",
          registers: [registry],
        }),
    ),
  };
}
