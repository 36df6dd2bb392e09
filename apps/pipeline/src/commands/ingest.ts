import type { Command } from "commander";
import { readConfig } from "../config";
import { createIngestComponent } from "../ingest/ingest-server";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import { runComponents } from "../runtime/role-runner";

export function registerIngestCommand(program: Command): void {
  program
    .command("ingest")
    .description(
      "Run the partner ingest: POST /v1/clicks and GET /c/<token> into Kafka, on INGEST_PORT (serves /healthz /readyz /metrics /openapi.json too).",
    )
    .action(async () => {
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-ingest");
      const registry = createRegistry();
      const ops: OpsState = { components: [], registry, shuttingDown: false };
      const ingest = createIngestComponent(config, { logger, registry, ops });
      ops.components = [ingest];
      await runComponents({ components: [ingest], registry, logger, opsPort: null }, ops);
    });
}
