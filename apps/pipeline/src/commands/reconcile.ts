import { connectDb } from "@adclick/db/client";
import { parseIsoDay } from "@adclick/shared";
import { createRedisClient } from "@adclick/shared/redis";
import { type Command, InvalidArgumentError } from "commander";
import { readConfig } from "../config";
import {
  DEFAULT_THRESHOLD,
  describeExceeded,
  formatPercent,
  reconcileDay,
} from "../reconcile/reconcile";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";

export function registerReconcileCommand(program: Command): void {
  program
    .command("reconcile")
    .description(
      "Compare each campaign's live day total (Redis) with billing_daily; exit 1 naming the campaigns over the threshold, 3 when the day's live totals have expired (72 h after it ends).",
    )
    .requiredOption("--date <YYYY-MM-DD>", "the day to reconcile")
    .option(
      "--threshold <percent>",
      "alert when clicks differ by more than this many percent",
      parsePercent,
      DEFAULT_THRESHOLD * 100,
    )
    .action(async (opts: { date: string; threshold: number }) => {
      parseIsoDay(opts.date);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-reconcile");
      const { db, close } = connectDb(config.DATABASE_URL, {
        max: 2,
        applicationName: "adclick-reconcile",
      });
      const redis = createRedisClient(config, { maxRetriesPerRequest: 3 });
      try {
        const report = await reconcileDay(
          { db, redis, logger, registry: createRegistry("reconcile") },
          opts.date,
          opts.threshold / 100,
        );
        if (!report.liveData) throw new NoLiveDataError(opts.date);
        for (const c of report.campaigns) {
          process.stdout.write(
            `${c.campaignId}\tlive ${c.liveClicks}\tbilled ${c.billedClicks}\t${formatPercent(c.discrepancy)}${c.thresholdExceeded ? "\tOVER THRESHOLD" : ""}\n`,
          );
        }
        if (report.exceeded.length) {
          throw new Error(
            `reconciliation of ${opts.date} failed: ${describeExceeded(report.exceeded)} differ by more than ${formatPercent(report.threshold)}`,
          );
        }
        process.stdout.write(
          `reconciliation of ${opts.date} passed: ${report.campaigns.length} campaigns within ${formatPercent(report.threshold)}\n`,
        );
      } finally {
        redis.disconnect();
        await close();
      }
    });
}

/** Exit code of `adclick reconcile` for a day whose live totals have expired (1 is an alert). */
export const NO_LIVE_DATA_EXIT_CODE = 3;

export class NoLiveDataError extends Error {
  readonly exitCode = NO_LIVE_DATA_EXIT_CODE;
  constructor(day: string) {
    super(
      `reconciliation of ${day}: no live data (live day totals expire 72 h after the day ends); nothing compared`,
    );
  }
}

function parsePercent(value: string): number {
  const n = Number(value.replace(/%$/, ""));
  if (!Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a percentage such as 5, got "${value}"`);
  return n;
}
