import { OPS_PORTS } from "@adclick/shared";
import type { Command } from "commander";
import { readConfig } from "../config";

export function registerReviewSinkCommand(program: Command): void {
  program
    .command("review-sink")
    .description(
      "Queue flagged (suspicious) clicks from Kafka for analyst review in Postgres; stops gracefully on SIGTERM.",
    )
    .option(
      "--ops-port <port>",
      "port for /healthz, /readyz and /metrics",
      String(OPS_PORTS["review-sink"]),
    )
    .action(async (opts: { opsPort: string }) => {
      const opsPort = Number(opts.opsPort);
      if (!/^\d+$/.test(opts.opsPort) || opsPort < 1 || opsPort > 65535) {
        throw new Error(`--ops-port must be a port 1-65535, got "${opts.opsPort}"`);
      }
      const config = readConfig();
      // Loaded here, not at the top, so other commands do not pay for Kafka and metrics.
      const [
        { createReviewSink },
        { createLogger },
        { createRegistry },
        { runComponents },
        { createSharedClients },
      ] = await Promise.all([
        import("../review-sink/review-sink"),
        import("../runtime/logger"),
        import("../runtime/metrics"),
        import("../runtime/role-runner"),
        import("../runtime/shared-clients"),
      ]);
      const logger = createLogger(config.LOG_LEVEL, "review-sink");
      const registry = createRegistry("review-sink");
      const clients = createSharedClients({
        config,
        logger,
        name: "adclick-review-sink",
        dbPoolMax: 4,
      });
      await runComponents({
        components: [
          clients,
          createReviewSink({ config, logger, registry, db: clients.db(), kafka: clients.kafka() }),
        ],
        registry,
        logger,
        opsPort,
      });
    });
}
