/**
 * The metric catalogue: every role's metrics registered side by side, as in
 * `adclick run`, must follow one naming scheme and one label vocabulary, so
 * dashboards and alert rules can join them.
 */
import { METRIC_ROLES } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { everyPipelineMetric } from "./metric-catalogue";
import { createRegistry } from "./metrics";

/** The label names a series may carry besides `role`. */
const LABELS = new Set([
  "partner",
  "topic",
  "partition",
  "route",
  "status",
  "outcome",
  "verdict",
  "dataset",
  // prom-client's default process metrics
  "le",
  "quantile",
  "version",
  "major",
  "minor",
  "patch",
  "kind",
  "type",
  "space",
  "gc_type",
  "space_name",
]);

describe("pipeline metrics", () => {
  it("are all adclick_ snake_case, counters end in _total, durations in _seconds", async () => {
    const metrics = await everyPipelineMetric().getMetricsAsJSON();
    expect(metrics.length).toBeGreaterThan(40);
    for (const m of metrics) {
      expect(m.name).toMatch(/^adclick_[a-z0-9_]+$/);
      if (String(m.type) === "counter") expect(m.name, m.name).toMatch(/_total$/);
      if (String(m.type) === "histogram") expect(m.name, m.name).toMatch(/_(seconds|bytes)$/);
    }
  });

  it("carry role on every series and only labels of the shared vocabulary", async () => {
    const registry = everyPipelineMetric();
    const text = await registry.metrics();
    const series = text.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(series.length).toBeGreaterThan(40);
    for (const line of series) expect(line, line).toContain('role="run"');
    for (const m of await registry.getMetricsAsJSON())
      for (const v of m.values)
        for (const label of Object.keys(v.labels))
          if (label !== "role") expect(LABELS.has(label), `${m.name}{${label}}`).toBe(true);
  });

  it("include the default process metrics and the seed's monitoring figures", async () => {
    const names = new Set((await everyPipelineMetric().getMetricsAsJSON()).map((m) => m.name));
    for (const name of [
      "adclick_process_cpu_seconds_total", // default process metrics
      "adclick_nodejs_eventloop_lag_seconds",
      "adclick_ingest_events_total", // ingestion rate, by partner
      "adclick_ingest_backpressure_total", // backpressure
      "adclick_aggregator_consumer_lag", // consumer lag, messages
      "adclick_aggregator_consumer_lag_seconds", // consumer lag, time
      "adclick_aggregator_event_time_lag_seconds", // event-time lag
      "adclick_aggregator_events_total", // fraud rate, by verdict
      "adclick_reconciliation_max_discrepancy_ratio", // real-time vs batch
      "adclick_batch_runs_total",
      "adclick_batch_last_success_timestamp_seconds",
      "adclick_batch_days_waiting",
    ])
      expect(names.has(name), name).toBe(true);
  });

  it("name a role the shared vocabulary knows", () => {
    expect(METRIC_ROLES).toContain("run");
    expect(() => createRegistry("ingest")).not.toThrow();
  });
});

describe("consumerLagSeconds", () => {
  it("is 0 when caught up and the wait of the next message otherwise", async () => {
    const { consumerLagSeconds } = await import("../aggregate/aggregator");
    expect(consumerLagSeconds(0, "1000", 61_000)).toBe(0);
    expect(consumerLagSeconds(5, "1000", 61_000)).toBe(60);
    expect(consumerLagSeconds(5, undefined, 61_000)).toBe(0);
    expect(consumerLagSeconds(5, "70000", 61_000)).toBe(0);
  });
});
