/**
 * The Grafana dashboards provisioned from infra/grafana: an overview with the
 * seed's monitoring figures and one per role, each reading the provisioned
 * Prometheus data source and only metrics the code exports.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../services/paths";
import { pipelineMetricNames } from "./metric-catalogue";

const grafana = join(repoRoot(), "infra", "grafana");
const datasource = (
  parse(readFileSync(join(grafana, "provisioning/datasources/prometheus.yml"), "utf8")) as {
    datasources: Array<{ uid: string; type: string }>;
  }
).datasources[0]!;

interface Panel {
  title: string;
  datasource: { type: string; uid: string };
  targets: Array<{ expr: string }>;
  gridPos: { x: number; y: number; w: number; h: number };
}
const dashboards = Object.fromEntries(
  readdirSync(join(grafana, "dashboards"))
    .filter((f) => f.endsWith(".json"))
    .map((f) => [
      f.replace(/\.json$/, ""),
      JSON.parse(readFileSync(join(grafana, "dashboards", f), "utf8")) as {
        uid: string;
        title: string;
        panels: Panel[];
      },
    ]),
);

describe("Grafana dashboards", () => {
  it("are an overview and one per role, with distinct uids", () => {
    expect(Object.keys(dashboards).sort()).toEqual(
      ["aggregate", "archive", "batch", "ingest", "overview", "review-sink", "web"].sort(),
    );
    const uids = Object.values(dashboards).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("are provisioned from the folder docker-compose.yml mounts", () => {
    const provider = parse(
      readFileSync(join(grafana, "provisioning/dashboards/adclick.yml"), "utf8"),
    ) as { providers: Array<{ options: { path: string } }> };
    expect(provider.providers[0]!.options.path).toBe("/var/lib/grafana/dashboards");
    const compose = readFileSync(join(repoRoot(), "docker-compose.yml"), "utf8");
    expect(compose).toContain("./infra/grafana/dashboards:/var/lib/grafana/dashboards:ro");
  });

  it("show the seed's monitoring figures on the overview", () => {
    const exprs = dashboards
      .overview!.panels.flatMap((p) => p.targets.map((t) => t.expr))
      .join("\n");
    for (const metric of [
      "adclick_ingest_events_total", // ingestion rate
      "adclick_aggregator_consumer_lag_seconds", // consumer lag
      "adclick_aggregator_event_time_lag_seconds", // event-time lag
      "adclick_ingest_backpressure_total", // backpressure
      'verdict="fraud"', // fraud rate
      "adclick_reconciliation_max_discrepancy_ratio", // real-time vs batch accuracy
    ])
      expect(exprs).toContain(metric);
  });

  it("read the provisioned Prometheus and only metrics the code exports", async () => {
    const exported = await pipelineMetricNames();
    for (const [name, d] of Object.entries(dashboards)) {
      expect(d.panels.length, name).toBeGreaterThan(2);
      for (const p of d.panels) {
        expect(p.datasource, `${name}: ${p.title}`).toEqual({
          type: datasource.type,
          uid: datasource.uid,
        });
        expect(p.targets.length, `${name}: ${p.title}`).toBeGreaterThan(0);
        for (const t of p.targets) {
          const used = [...t.expr.matchAll(/\badclick_[a-z0-9_]+/g)].map((m) =>
            m[0].replace(/_(bucket|sum|count)$/, ""),
          );
          expect(used.length, t.expr).toBeGreaterThan(0);
          expect(
            used.filter((m) => !exported.has(m)),
            `${name}: ${p.title}`,
          ).toEqual([]);
        }
        expect(p.gridPos.x + p.gridPos.w, `${name}: ${p.title}`).toBeLessThanOrEqual(24);
      }
    }
  });
});
