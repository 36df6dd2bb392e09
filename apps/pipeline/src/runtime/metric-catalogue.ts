import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@adclick/shared";
import { pino } from "pino";
import { createAggregatorMetrics } from "../aggregate/metrics";
import { createArchiverComponent } from "../archive";
import { createIngestMetrics } from "../ingest/ingest-metrics";
import { reconcileMetrics } from "../reconcile/reconcile";
import { createReviewSink } from "../review-sink/review-sink";
import { schedulerMetrics } from "../schedule/batch-scheduler";
import { createRegistry } from "./metrics";

/** Every metric the pipeline exports, in one registry labelled role="run" (no I/O: nothing is started). */
export function everyPipelineMetric() {
  const registry = createRegistry("run");
  const dir = mkdtempSync(join(tmpdir(), "adclick-metrics-"));
  const config = loadConfig({ LAKE_URL: `file://${dir}` });
  const logger = pino({ level: "silent" });
  createIngestMetrics(registry, () => 0);
  createAggregatorMetrics(registry);
  createArchiverComponent({ config, logger, registry, cwd: dir });
  createReviewSink({ config, logger, registry });
  schedulerMetrics(registry);
  reconcileMetrics(registry);
  return registry;
}

/** The names of every metric the pipeline exports. */
export async function pipelineMetricNames(): Promise<Set<string>> {
  return new Set((await everyPipelineMetric().getMetricsAsJSON()).map((m) => m.name));
}
