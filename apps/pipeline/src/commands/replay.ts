import { connectDb } from "@adclick/db/client";
import { readActiveBlocklist } from "@adclick/db/queries";
import type { Command } from "commander";
import { replayCounters } from "../aggregate/replay";
import { readConfig } from "../config";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";

/** ISO-8601 with a zone, YYYY-MM-DD (UTC midnight) or epoch milliseconds. */
export function parseTime(value: string): number {
  if (/^\d{10,16}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T00:00:00Z`);
  if (
    /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  )
    return Date.parse(value);
  throw new Error(
    `--from must be ISO-8601 with a zone (2026-01-31T12:00:00Z), YYYY-MM-DD or epoch ms, got "${value}"`,
  );
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description(
      "Rebuild the live counters from Kafka for every UTC day from --from on (stop the aggregators first); they resume where the replay ends. A replay that did not finish is reported and redone (the aggregators refuse to start until then).",
    )
    .requiredOption(
      "--from <time>",
      "first time to rebuild: ISO-8601, YYYY-MM-DD or epoch ms (rounded down to its UTC day)",
    )
    .option(
      "--force",
      "replay even while aggregators are running (their writes will race the replay)",
    )
    .option("--fetch-bytes <n>", "bytes fetched per partition per request (default 4194304)")
    .action(async (opts: { from: string; force?: boolean; fetchBytes?: string }) => {
      const fromMs = parseTime(opts.from);
      const rawFetchBytes = opts.fetchBytes;
      // Digits only, like every other count option: `1.5e3` or `0x800` are refused.
      if (
        rawFetchBytes !== undefined &&
        !(/^\d+$/.test(rawFetchBytes) && Number(rawFetchBytes) >= 1024)
      )
        throw new Error(
          `--fetch-bytes must be an integer of at least 1024, got "${rawFetchBytes}"`,
        );
      const fetchBytes = rawFetchBytes === undefined ? undefined : Number(rawFetchBytes);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "replay");
      const db = connectDb(config.DATABASE_URL, { max: 1, applicationName: "adclick-replay" });
      try {
        const result = await replayCounters({
          config,
          logger,
          registry: createRegistry(),
          fromMs,
          force: opts.force,
          fetchBytes,
          loadBlocklist: () => readActiveBlocklist(db.db),
        });
        if (result.resumed)
          process.stdout.write(`redid the replay that did not finish: ${result.resumed}\n`);
        process.stdout.write(
          `replayed ${result.events} clicks from ${new Date(result.fromDayMs).toISOString()} over ${result.partitions.length} partitions; deleted ${result.deletedKeys} keys first\n`,
        );
      } finally {
        await db.close();
      }
    });
}
