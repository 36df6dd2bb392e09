import { OPS_PORTS } from "@adclick/shared";
import type { Command } from "commander";
import { readConfig } from "../config";
import { createIngestComponent } from "../ingest/ingest-server";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import { runComponents } from "../runtime/role-runner";

export const DEFAULT_INGEST_OPS_PORT = OPS_PORTS.ingest;

export function registerIngestCommand(program: Command): void {
  program
    .command("ingest")
    .description(
      "Run the partner ingest: POST /v1/clicks and GET /c/<token> into Kafka, on INGEST_PORT (with /healthz /readyz /openapi.json); /metrics is on the ops port.",
    )
    .option(
      "--ops-port <port>",
      "port for /healthz, /readyz and /metrics (0: no ops port)",
      String(DEFAULT_INGEST_OPS_PORT),
    )
    .option("--public-metrics", "also serve /metrics on INGEST_PORT", false)
    .action(async (opts: { opsPort: string; publicMetrics: boolean }) => {
      const opsPort = Number(opts.opsPort);
      if (!Number.isInteger(opsPort) || opsPort < 0 || opsPort > 65535)
        throw new Error(`--ops-port must be a port 0-65535, got "${opts.opsPort}"`);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-ingest");
      const registry = createRegistry("ingest");
      const ops: OpsState = { components: [], registry, shuttingDown: false };
      const ingest = createIngestComponent(config, {
        logger,
        registry,
        ops,
        options: { publicMetrics: opts.publicMetrics },
      });
      ops.components = [ingest];
      await runComponents(
        { components: [ingest], registry, logger, opsPort: opsPort === 0 ? null : opsPort },
        ops,
      );
    });
}
