import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLICKS_PER_MINUTE_LIMIT, parseIsoDay } from "@adclick/shared";
import type { DuckDBConnection } from "@duckdb/node-api";
import { type BatchDeps, dayLakeFiles, loadCampaignMeta, openDay, scoreClasses } from "./batch-job";
import { CREATE_SCORING_TABLES_SQL, DEDUPE_SQL, featuresSql, labelledSumsSql } from "./batch-sql";

/**
 * The least DuckDB has to do for a day's billing, pass by pass, over the same
 * lake and with the same settings as the batch: the yardstick the batch's CPU
 * time is compared with. Each pass is timed in CPU seconds of this process
 * (DuckDB's threads included); what only prepares a pass is not counted.
 */
export const LEAST_PASSES = {
  /** Exact distinct event ids: the least a dedupe does. */
  dedupe: "select count(distinct event_id) from day_raw",
  /** Exact distinct (campaign, user) pairs: the least the unique users need. */
  pairs: "select count(*) from (select distinct campaign_id, user_id from day_raw)",
} as const;

export interface LeastPasses {
  /** CPU seconds of each pass: dedupe, features, labelled sums, pairs. */
  cpuS: Record<string, number>;
  totalCpuS: number;
}

export async function measureLeastPasses(deps: BatchDeps, day: string): Promise<LeastPasses> {
  const dayStartMs = parseIsoDay(day);
  const scratch = await mkdtemp(join(deps.tmpDir ?? tmpdir(), "adclick-least-"));
  const keys = await dayLakeFiles(deps.lake, day);
  const { instance, conn } = await openDay(deps, keys, scratch, dayStartMs);
  const cpuS: Record<string, number> = {};
  const timed = async (name: string, fn: () => Promise<unknown>) => {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    cpuS[name] = (used.user + used.system) / 1e6;
  };
  try {
    await timed("dedupe", () => conn.run(LEAST_PASSES.dedupe));
    await runAll(conn, DEDUPE_SQL);
    await timed("features", () => runAll(conn, featuresSql(CLICKS_PER_MINUTE_LIMIT)));
    await runAll(conn, CREATE_SCORING_TABLES_SQL);
    const defaultIpClass = await scoreClasses(deps, conn, dayStartMs);
    await loadCampaignMeta(deps, conn);
    await timed("labelled sums", () => conn.run(labelledSumsSql(defaultIpClass)));
    await timed("pairs", () => conn.run(LEAST_PASSES.pairs));
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
  return { cpuS, totalCpuS: Object.values(cpuS).reduce((a, b) => a + b, 0) };
}

async function runAll(conn: DuckDBConnection, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await conn.run(sql);
}
