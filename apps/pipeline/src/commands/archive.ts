import { OPS_PORTS } from "@adclick/shared";
import { type Command, InvalidArgumentError } from "commander";
import { createArchiverComponent } from "../archive";
import { readConfig } from "../config";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import { runComponents } from "../runtime/role-runner";
import { createSharedClients } from "../runtime/shared-clients";

export function registerArchiveCommand(program: Command): void {
  program
    .command("archive")
    .description(
      "Write clicks.raw and the fraud stream to the lake as hourly Parquet files (C4); runs until SIGTERM.",
    )
    .option(
      "--ops-port <port>",
      "port for /healthz, /readyz and /metrics",
      positiveInt,
      OPS_PORTS.archive,
    )
    .option(
      "--roll-events <n>",
      "roll a partition's file at this many events",
      positiveInt,
      250_000,
    )
    .option(
      "--roll-seconds <s>",
      "roll a partition's file after this many seconds open",
      positiveInt,
      600,
    )
    .action(async (opts: { opsPort: number; rollEvents: number; rollSeconds: number }) => {
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-archive");
      const registry = createRegistry("archive");
      const clients = createSharedClients({ config, logger, name: "adclick-archive" });
      const archiver = createArchiverComponent({
        kafka: clients.kafka(),
        config,
        logger,
        registry,
        cwd: process.cwd(),
        maxSegmentEvents: opts.rollEvents,
        maxSegmentAgeMs: opts.rollSeconds * 1000,
      });
      await runComponents({
        components: [clients, archiver],
        registry,
        logger,
        opsPort: opts.opsPort,
      });
    });
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}
