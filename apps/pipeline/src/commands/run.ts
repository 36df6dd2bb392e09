import { OPS_PORTS } from "@adclick/shared";
import type { Command } from "commander";
import { createArchiverComponent } from "../archive";
import { readConfig } from "../config";
import { createIngestComponent } from "../ingest/ingest-server";
import { createReviewSink } from "../review-sink/review-sink";
import type { Component } from "../runtime/component";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import { runComponents } from "../runtime/role-runner";
import { createSharedClients } from "../runtime/shared-clients";
import { createBatchScheduler } from "../schedule";
import { aggregatorFromConfig } from "./aggregate";

const ROLES = ["ingest", "aggregate", "archive", "review-sink", "schedule"] as const;
type Role = (typeof ROLES)[number];

/**
 * Every pipeline role in one process, for development and small deployments.
 * This is the process's composition root: the shared clients (Postgres pool,
 * Kafka client) are made once, handed to the roles, and closed after every role
 * has stopped (they are the first component, so the runner stops them last).
 * Consumers start before the ingest so nothing produced waits for a reader;
 * the runner stops them in reverse: the ingest first (no new clicks), then the
 * consumers flush and commit.
 */
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description(
      "Run every pipeline role in one process (aggregate, archive, review-sink, nightly batch + reconcile schedule, ingest). /healthz, /readyz and /metrics for all of them on the ops port; the ingest's public INGEST_PORT keeps /healthz and /readyz but not /metrics.",
    )
    .option("--roles <list>", `comma-separated subset of ${ROLES.join(",")}`, ROLES.join(","))
    .option(
      "--ops-port <port>",
      "port for /healthz, /readyz and /metrics of every role",
      String(OPS_PORTS.run),
    )
    .action(async (opts: { roles: string; opsPort: string }) => {
      const roles = parseRoles(opts.roles);
      const opsPort = Number(opts.opsPort);
      if (!/^\d+$/.test(opts.opsPort) || opsPort < 1 || opsPort > 65535)
        throw new Error(`--ops-port must be a port 1-65535, got "${opts.opsPort}"`);
      const config = readConfig();
      const logger = createLogger(config.LOG_LEVEL, "adclick-run");
      const registry = createRegistry("run");
      const ops: OpsState = { components: [], registry, shuttingDown: false };
      const cwd = process.cwd();

      const clients = createSharedClients({ config, logger, name: "adclick-run" });
      const components: Component[] = [clients];
      if (roles.has("aggregate")) components.push(aggregatorFromConfig(config, logger, registry));
      if (roles.has("archive"))
        components.push(
          createArchiverComponent({ config, logger, registry, cwd, kafka: clients.kafka() }),
        );
      if (roles.has("review-sink"))
        components.push(
          createReviewSink({
            config,
            logger,
            registry,
            db: clients.db(),
            kafka: clients.kafka(),
          }),
        );
      if (roles.has("schedule"))
        components.push(createBatchScheduler({ config, logger, registry, cwd }));
      const ingest = roles.has("ingest")
        ? createIngestComponent(config, { logger, registry, ops })
        : null;
      if (ingest) components.push(ingest);
      ops.components = components;

      await runComponents({ components, registry, logger, opsPort }, ops);
    });
}

function parseRoles(list: string): Set<Role> {
  const roles = new Set<Role>();
  for (const raw of list.split(",")) {
    const role = raw.trim();
    if (!role) continue;
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(`--roles: unknown role "${role}"; expected some of ${ROLES.join(",")}`);
    }
    roles.add(role as Role);
  }
  if (!roles.size) throw new Error("--roles: name at least one role");
  return roles;
}
