import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Component } from "./component";

export interface OpsState {
  components: readonly Component[];
  registry: Registry;
  /** Set as soon as shutdown starts so load balancers stop sending traffic. */
  shuttingDown: boolean;
}

/** Answers /healthz, /readyz and /metrics; returns false for any other path. */
export async function handleOpsRoute(
  state: OpsState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === "/healthz") {
    sendJson(res, 200, { status: "ok" });
    return true;
  }
  if (path === "/readyz") {
    const components = Object.fromEntries(state.components.map((c) => [c.name, c.ready()]));
    const ready = !state.shuttingDown && Object.values(components).every(Boolean);
    sendJson(res, ready ? 200 : 503, {
      status: ready ? "ready" : state.shuttingDown ? "stopping" : "not ready",
      components,
    });
    return true;
  }
  if (path === "/metrics") {
    const body = await state.registry.metrics();
    res.writeHead(200, { "content-type": state.registry.contentType });
    res.end(body);
    return true;
  }
  return false;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
