/**
 * The Prometheus alert rules in infra/prometheus/rules: valid, unit-tested with
 * `promtool test rules` (Debian's prometheus package; `npm test` installs it via
 * scripts/ensure-promtool.mjs), and written against the metric names the code
 * really exports.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../services/paths";
import { pipelineMetricNames } from "./metric-catalogue";

const PROMTOOL = "/usr/bin/promtool";
const rulesDir = join(repoRoot(), "infra", "prometheus", "rules");
const rulesFile = join(rulesDir, "adclick.rules.yml");

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const groups = (parse(readFileSync(rulesFile, "utf8")) as { groups: Array<{ rules: Rule[] }> })
  .groups;
const rules = groups.flatMap((g) => g.rules);

function promtool(...args: string[]) {
  if (!existsSync(PROMTOOL))
    throw new Error(`${PROMTOOL} is missing: run \`node scripts/ensure-promtool.mjs\``);
  const r = spawnSync(PROMTOOL, args, { cwd: rulesDir, encoding: "utf8" });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Metric names in a PromQL expression (histogram series map to their metric). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\badclick_[a-z0-9_]+/g)].map((m) =>
    m[0].replace(/_(bucket|sum|count)$/, ""),
  );
}

describe("alert rules", () => {
  it("pass promtool check rules", () => {
    const r = promtool("check", "rules", "adclick.rules.yml");
    expect(r.output).toContain("SUCCESS");
    expect(r.code, r.output).toBe(0);
  });

  it("pass their promtool unit tests", () => {
    const r = promtool("test", "rules", "adclick.rules.test.yml");
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("cover every figure the operators asked for", () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      [
        "BatchDayFailing",
        "BatchDayNotComplete",
        "BatchDidNotRun",
        "BatchSchedulerAbsent",
        "ConsumerLagHigh",
        "EventTimeLagHigh",
        "FraudRateHigh",
        "FraudRateLow",
        "IngestBackpressure",
        "IngestErrorRateHigh",
        "ReconciliationDiscrepancyHigh",
      ].sort(),
    );
  });

  it("name only metrics the pipeline exports", async () => {
    const exported = await pipelineMetricNames();
    const used = new Set(rules.flatMap((r) => metricNames(r.expr)));
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it("each carry a severity and a summary", () => {
    for (const r of rules) {
      expect(["page", "warn"], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
    }
  });
});
