export {
  type BatchDeps,
  type BatchResult,
  dayLakeFiles,
  lakeFingerprint,
  previousUtcDay,
  runBatch,
} from "./batch-job";
export {
  checkLakeComplete,
  LAKE_GRACE_MS,
  type LakeCompleteness,
  lakeCutoffMs,
} from "./lake-completeness";

/** Every day from `from` to `to` inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (end < start) throw new Error(`--to ${to} is before --from ${from}`);
  const days: string[] = [];
  for (let t = start; t <= end; t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
