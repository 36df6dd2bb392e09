import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { Component } from "./component";
import { endLogger, type Logger } from "./logger";
import { handleOpsRoute, type OpsState, sendJson } from "./ops-routes";

export interface RunOptions {
  components: Component[];
  registry: Registry;
  logger: Logger;
  /** Port for /healthz, /readyz and /metrics; null when a component (the ingest) serves them itself. */
  opsPort: number | null;
  /** Hard deadline for a graceful stop before the process exits anyway. */
  stopDeadlineMs?: number;
}

/**
 * Starts components in order, serves the ops routes and stops everything in
 * reverse order on SIGTERM or SIGINT, under a hard deadline.
 */
export async function runComponents(
  opts: RunOptions,
  ops: OpsState = { components: opts.components, registry: opts.registry, shuttingDown: false },
): Promise<void> {
  const { logger } = opts;
  let server: Server | null = null;
  if (opts.opsPort !== null) {
    server = createServer((req, res) => {
      handleOpsRoute(ops, req, res)
        .then((handled) => {
          if (!handled) sendJson(res, 404, { error: "not found" });
        })
        .catch((err) => {
          logger.error({ err }, "ops route failed");
          if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
        });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(opts.opsPort!, "0.0.0.0", () => resolve());
    });
    logger.info({ port: opts.opsPort }, "ops routes listening");
  }

  const started: Component[] = [];
  let stopping: Promise<void> | null = null;
  const stopAll = (reason: string): Promise<void> => {
    if (stopping) return stopping;
    ops.shuttingDown = true;
    logger.info({ reason }, "stopping");
    const deadline = setTimeout(() => {
      logger.error("graceful stop passed its deadline; exiting");
      process.exit(1);
    }, opts.stopDeadlineMs ?? 30_000);
    deadline.unref();
    stopping = (async () => {
      // Every component gets its stop even when an earlier one failed; every failure is reported.
      const failures: string[] = [];
      for (const component of [...started].reverse()) {
        try {
          await component.stop();
          logger.info({ component: component.name }, "stopped");
        } catch (err) {
          logger.error({ err, component: component.name }, "stop failed");
          const message = err instanceof Error ? err.message : String(err);
          failures.push(`${component.name}: ${message.split("\n")[0]}`);
        }
      }
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      clearTimeout(deadline);
      if (failures.length) throw new Error(`stop failed: ${failures.join("; ")}`);
    })();
    return stopping;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    stopAll(signal).then(
      async () => {
        await endLogger(logger);
        process.exit(0);
      },
      async (err: Error) => {
        await endLogger(logger);
        process.stderr.write(`adclick: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);

  try {
    for (const component of opts.components) {
      await component.start();
      started.push(component);
      logger.info({ component: component.name }, "started");
    }
  } catch (err) {
    // The start failure is the one to report; a failed stop after it is only logged.
    await stopAll("start failed").catch(() => undefined);
    throw err;
  }
}
