import { connectDb } from "@adclick/db/client";
import { type Config, groupName, parseIsoDay, topicName } from "@adclick/shared";
import type { Command } from "commander";
import { checkLakeComplete, daysBetween, runBatch } from "../batch";
import { readConfig } from "../config";
import { createKafka } from "../kafka/client";
import { openLake } from "../lake";
import { createLogger } from "../runtime/logger";

export function registerBatchCommand(program: Command): void {
  program
    .command("batch")
    .description(
      "Compute exact billing for a UTC day from the lake and replace it in billing_daily (C5).",
    )
    .option("--date <YYYY-MM-DD>", "the day to bill")
    .option("--from <YYYY-MM-DD>", "first day of a backfill (with --to)")
    .option("--to <YYYY-MM-DD>", "last day of a backfill, inclusive")
    .option("--memory-limit <size>", "DuckDB memory limit before it spills to disk", "512MB")
    .option(
      "--require-complete",
      "refuse a day whose lake is not complete yet (C11: the archiver's commits past every message received before the day's end + 10 min)",
    )
    .action(async (opts: BatchOptions) => {
      const days = selectDays(opts);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-batch");
      if (opts.requireComplete) await requireComplete(config, days);
      const { db, pool, close } = connectDb(config.DATABASE_URL, {
        max: 2,
        applicationName: "adclick-batch",
      });
      const lake = openLake(config, process.cwd());
      try {
        for (const day of days) {
          const r = await runBatch({ db, pool, lake, logger, memoryLimit: opts.memoryLimit }, day);
          process.stdout.write(
            `${day}: ${r.eventsIn} events in ${r.files} files, ${r.duplicates} duplicates, ${r.fraudRemoved} fraud removed, ${r.rowsOut} billing rows (run ${r.runId}, ${r.durationMs} ms)\n`,
          );
        }
      } finally {
        await lake.close();
        await close();
      }
    });
}

interface BatchOptions {
  date?: string;
  from?: string;
  to?: string;
  memoryLimit: string;
  requireComplete?: boolean;
}

/** Throws naming the first day whose lake is not complete (C11). */
async function requireComplete(config: Config, days: readonly string[]): Promise<void> {
  const admin = createKafka(config, "adclick-batch").admin();
  await admin.connect();
  try {
    const source = {
      admin,
      topic: topicName(config.KAFKA_TOPIC_PREFIX, "raw"),
      groupId: groupName(config.KAFKA_TOPIC_PREFIX, "archiver"),
    };
    for (const day of days) {
      const c = await checkLakeComplete(source, day, Date.now());
      if (!c.complete) throw new Error(`${day} not billed: ${c.reason}`);
    }
  } finally {
    await admin.disconnect();
  }
}

function selectDays(opts: { date?: string; from?: string; to?: string }): string[] {
  if (opts.date && (opts.from || opts.to))
    throw new Error("give either --date or --from/--to, not both");
  if (opts.date) {
    parseIsoDay(opts.date);
    return [opts.date];
  }
  if (opts.from && opts.to) {
    parseIsoDay(opts.from);
    parseIsoDay(opts.to);
    return daysBetween(opts.from, opts.to);
  }
  throw new Error("--date YYYY-MM-DD (or --from and --to) is required");
}
