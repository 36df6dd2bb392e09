/**
 * Operations constants shared by the pipeline, the dashboard and the deployment
 * files: the `role` label every metric series carries, and the ops ports that
 * serve /healthz, /readyz and /metrics (never the public ingest or web port).
 */
export const METRIC_ROLES = [
  "ingest",
  "aggregate",
  "archive",
  "review-sink",
  "batch",
  "reconcile",
  "run",
  "web",
] as const;
export type MetricRole = (typeof METRIC_ROLES)[number];

/** Default ops port of each long-running process. */
export const OPS_PORTS = {
  ingest: 9463,
  run: 9464,
  aggregate: 9464,
  archive: 9465,
  "review-sink": 9466,
  web: 9467,
} as const satisfies Partial<Record<MetricRole, number>>;
