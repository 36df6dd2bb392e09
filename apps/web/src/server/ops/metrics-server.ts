import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * The dashboard's metrics, labelled role="web" like every pipeline process's,
 * and served on the ops port (WEB_OPS_PORT), never on the public WEB_PORT.
 */
export function createWebRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role: "web" });
  collectDefaultMetrics({ register: registry, prefix: "adclick_" });
  return registry;
}

/** Serves GET /metrics and /healthz on `port` (0: any free one); resolves with the listening server. */
export function startOpsServer(
  registry: Registry,
  port: number,
  host = "0.0.0.0",
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/metrics") {
      registry.metrics().then(
        (body) => {
          res.writeHead(200, { "content-type": registry.contentType });
          res.end(body);
        },
        () => {
          res.writeHead(500).end();
        },
      );
    } else if (req.method === "GET" && path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}');
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not found"}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
