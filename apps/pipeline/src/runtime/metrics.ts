import { collectDefaultMetrics, Registry } from "prom-client";

/** One registry per process; every role registers its metrics here. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "adclick_" });
  return registry;
}
