/**
 * Issue 19's targets, each judged on a figure of the same run: a ratio to the
 * figure's same-run ceiling, or an absolute bound. Pure.
 */
import type { Figure, Row } from "./figures";

export type Bound =
  | { of: "ratio"; op: ">=" | "<="; value: number }
  | { of: "value"; op: "<" | "<=" | ">="; value: number };

export interface Target {
  id: string;
  label: string;
  /** None: a figure shown for what it is, with no target. */
  bound?: Bound;
  /** Only expected in runs that ask for it (the peer). */
  optional?: boolean;
}

export const TARGETS: readonly Target[] = [
  {
    id: "ingest.batch.per_cpu_s",
    label: "ingest, batches of 100",
    bound: { of: "ratio", op: ">=", value: 0.6 },
  },
  {
    id: "ingest.batch.p99_half_ms",
    label: "ingest, batches of 100: p99 at half peak",
    bound: { of: "value", op: "<", value: 50 },
  },
  {
    id: "ingest.single.per_cpu_s",
    label: "ingest, single events",
    bound: { of: "ratio", op: ">=", value: 0.45 },
  },
  {
    id: "ingest.single.p99_half_ms",
    label: "ingest, single events: p99 at half peak",
    bound: { of: "value", op: "<", value: 50 },
  },
  { id: "aggregate.per_cpu_s", label: "aggregator", bound: { of: "ratio", op: ">=", value: 0.6 } },
  {
    id: "aggregate.redis_us_per_click",
    label: "Redis server CPU per counted click",
    bound: { of: "value", op: "<=", value: 2 },
  },
  {
    id: "aggregate.p99_90pct_ms",
    label: "click-to-counter p99 at 90 % of peak",
    bound: { of: "value", op: "<", value: 1000 },
  },
  {
    id: "aggregate.p99_half_ms",
    label: "click-to-counter p99 at half peak",
    bound: { of: "value", op: "<", value: 500 },
  },
  {
    id: "batch.cpu_s",
    label: "nightly batch, generated day",
    bound: { of: "ratio", op: "<=", value: 1.3 },
  },
  {
    id: "batch.peak_rss_mib",
    label: "nightly batch, peak memory",
    bound: { of: "value", op: "<", value: 1024 },
  },
  {
    id: "archive.per_cpu_s",
    label: "archiver",
    bound: { of: "value", op: ">=", value: 300_000 },
  },
  {
    id: "web.list.p95_ms",
    label: "web campaigns.list p95",
    bound: { of: "value", op: "<", value: 50 },
  },
  {
    id: "web.live_series.p95_ms",
    label: "web campaigns.liveSeries p95",
    bound: { of: "value", op: "<", value: 50 },
  },
  {
    id: "aggregate.peer.flink",
    label: "aggregator vs Apache Flink",
    bound: { of: "ratio", op: ">=", value: 1 },
    optional: true,
  },
];

export function describeBound(b: Bound, unit: string): string {
  const op = { ">=": "≥", "<=": "≤", "<": "<" }[b.op];
  const n = b.value.toLocaleString("en-US");
  return b.of === "ratio" ? `${op} ${n} × ceiling` : `${op} ${n} ${unit}`;
}

function holds(op: Bound["op"], x: number, bound: number): boolean {
  if (op === ">=") return x >= bound;
  if (op === "<=") return x <= bound;
  return x < bound;
}

/**
 * One row per target (in the targets' order), then any figure no target names.
 * A target without a figure is a row with no value and no verdict, unless it is
 * optional and not `wanted`. The last figure of an id wins (a re-run phase).
 */
export function judge(
  figures: readonly Figure[],
  targets: readonly Target[] = TARGETS,
  wanted: ReadonlySet<string> = new Set(),
): Row[] {
  const byId = new Map(figures.map((f) => [f.id, f]));
  const rows: Row[] = [];
  for (const t of targets) {
    const f = byId.get(t.id);
    if (!f && t.optional && !wanted.has(t.id)) continue;
    const ratio = f?.ceiling ? f.value / f.ceiling.value : null;
    const judged = !t.bound ? null : t.bound.of === "ratio" ? ratio : (f?.value ?? null);
    rows.push({
      id: t.id,
      label: t.label,
      value: f?.value ?? null,
      unit: f?.unit ?? "",
      ceiling: f?.ceiling ?? null,
      ratio,
      target: t.bound ? describeBound(t.bound, f?.unit ?? "") : "—",
      pass:
        !t.bound || judged === null || Number.isNaN(judged)
          ? null
          : holds(t.bound.op, judged, t.bound.value),
      ...(f?.note ? { note: f.note } : {}),
    });
  }
  const known = new Set(targets.map((t) => t.id));
  for (const f of figures)
    if (!known.has(f.id))
      rows.push({
        id: f.id,
        label: f.id,
        value: f.value,
        unit: f.unit,
        ceiling: f.ceiling ?? null,
        ratio: f.ceiling ? f.value / f.ceiling.value : null,
        target: "—",
        pass: null,
        ...(f.note ? { note: f.note } : {}),
      });
  return rows;
}
