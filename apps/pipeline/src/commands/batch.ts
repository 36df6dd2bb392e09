import { connectDb } from "@adclick/db/client";
import { parseIsoDay } from "@adclick/shared";
import type { Command } from "commander";
import { daysBetween, runBatch } from "../batch";
import { readConfig } from "../config";
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
    .action(async (opts: { date?: string; from?: string; to?: string; memoryLimit: string }) => {
      const days = selectDays(opts);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-batch");
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
