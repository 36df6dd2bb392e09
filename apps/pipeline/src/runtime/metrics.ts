import type { MetricRole } from "@adclick/shared";
import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * One registry per process; every role registers its metrics here. Default
 * process metrics are prefixed `adclick_`, and with a role every series carries
 * `role="<role>"` (`run` when every role shares one process).
 */
export function createRegistry(role?: MetricRole): Registry {
  const registry = new Registry();
  if (role) registry.setDefaultLabels({ role });
  collectDefaultMetrics({ register: registry, prefix: "adclick_" });
  return registry;
}
