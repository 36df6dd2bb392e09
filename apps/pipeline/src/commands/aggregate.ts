import { connectDb } from "@adclick/db/client";
import { activeFraudModel, readActiveBlocklist } from "@adclick/db/queries";
import { type Config, OPS_PORTS } from "@adclick/shared";
import { type Command, Option } from "commander";
import type { Registry } from "prom-client";
import { createAggregatorComponent } from "../aggregate/aggregator";
import { readConfig } from "../config";
import type { Component } from "../runtime/component";
import { createLogger, type Logger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import { runComponents } from "../runtime/role-runner";

export interface AggregateCommandOptions {
  opsPort: string;
  sessionTimeoutMs?: string;
  blocklistRefreshMs: string;
  modelRefreshMs: string;
  testFlushDelayMs?: string;
}

function int(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new Error(`${name} must be a whole number ${min}-${max}, got "${value}"`);
  return n;
}

/** The aggregator with its Postgres blocklist and active fraud model, for `adclick aggregate` and `adclick run`. */
export function aggregatorFromConfig(
  config: Config,
  logger: Logger,
  registry: Registry,
  tuning: {
    sessionTimeoutMs?: number;
    blocklistRefreshMs?: number;
    modelRefreshMs?: number;
    flushDelayMs?: number;
  } = {},
): Component {
  const db = connectDb(config.DATABASE_URL, { max: 2, applicationName: "adclick-aggregator" });
  return createAggregatorComponent({
    config,
    logger,
    registry,
    loadBlocklist: () => readActiveBlocklist(db.db),
    loadModel: () => activeFraudModel(db.db),
    ...tuning,
    onClose: () => db.close(),
  });
}

export function registerAggregateCommand(program: Command): void {
  program
    .command("aggregate")
    .description(
      "Stream clicks.raw into the Redis live counters (C3) with fraud scoring (C8), exactly once; run more replicas to scale out. Stops gracefully on SIGTERM.",
    )
    .option(
      "--ops-port <port>",
      "port for /healthz, /readyz and /metrics (0 picks a free one)",
      String(OPS_PORTS.aggregate),
    )
    .option("--session-timeout-ms <ms>", "Kafka consumer session timeout", "30000")
    .option(
      "--blocklist-refresh-ms <ms>",
      "how often the blocklist is re-read from Postgres",
      "10000",
    )
    .option(
      "--model-refresh-ms <ms>",
      "how often the active fraud model is re-read from Postgres (a newly activated one is used from then on)",
      "10000",
    )
    .addOption(
      new Option(
        "--test-flush-delay-ms <ms>",
        "fault injection: pause before every flush (tests widen race windows with it)",
      ).hideHelp(),
    )
    .action(async (opts: AggregateCommandOptions) => {
      const opsPort = int("--ops-port", opts.opsPort, 0, 65535);
      const sessionTimeoutMs = int(
        "--session-timeout-ms",
        opts.sessionTimeoutMs ?? "30000",
        1000,
        600_000,
      );
      const blocklistRefreshMs = int(
        "--blocklist-refresh-ms",
        opts.blocklistRefreshMs,
        100,
        30_000,
      );
      const modelRefreshMs = int("--model-refresh-ms", opts.modelRefreshMs, 100, 30_000);
      const flushDelayMs = opts.testFlushDelayMs
        ? int("--test-flush-delay-ms", opts.testFlushDelayMs, 0, 60_000)
        : undefined;
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "aggregate");
      const registry = createRegistry("aggregate");
      await runComponents({
        components: [
          aggregatorFromConfig(config, logger, registry, {
            sessionTimeoutMs,
            blocklistRefreshMs,
            modelRefreshMs,
            flushDelayMs,
          }),
        ],
        registry,
        logger,
        opsPort,
      });
    });
}
