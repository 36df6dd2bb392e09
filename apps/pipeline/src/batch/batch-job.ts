import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@adclick/db/client";
import {
  type BillingRow,
  failBatchRun,
  finishBatchRun,
  getCampaignPricingByIds,
  listAnalystVerdicts,
  readActiveBlocklist,
  replaceBillingDay,
  startBatchRun,
} from "@adclick/db/queries";
import {
  BlocklistMatcher,
  type ClickRecord,
  DAY_MS,
  type Device,
  isoDay,
  parseIsoDay,
  type ScoringContext,
  scoreClick,
} from "@adclick/shared";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { dayPrefix } from "../lake/lake-layout";
import type { LakeStore } from "../lake/lake-store";
import type { Logger } from "../runtime/logger";
import {
  BILLING_ROWS_SQL,
  COUNTS_SQL,
  CREATE_CAMPAIGN_META_SQL,
  CREATE_DAY_CLICKS_SQL,
  CREATE_DAY_FEATURES_SQL,
  CREATE_EMPTY_DAY_RAW_SQL,
  CREATE_VERDICTS_SQL,
  createDayRawSql,
  SCORING_INPUT_SQL,
} from "./batch-sql";

export interface BatchDeps {
  db: Database;
  pool: pg.Pool;
  lake: LakeStore;
  logger: Logger;
  /** DuckDB's memory limit; past it, it spills to `tmpDir` (default "512MB"). */
  memoryLimit?: string;
  /** DuckDB worker threads (default: every core). */
  threads?: number;
  /** Scratch space for downloaded files and DuckDB's spill (default: the OS temp folder). */
  tmpDir?: string;
  /** Extra scoring context (e.g. a trained model); the blocklist is always read from Postgres. */
  scoring?: Omit<ScoringContext, "blocklist">;
}

export interface BatchResult {
  day: string;
  runId: number;
  files: number;
  eventsIn: number;
  duplicates: number;
  fraudRemoved: number;
  rowsOut: number;
  durationMs: number;
  rows: BillingRow[];
}

const VERDICT_CODE = { clean: 0, suspicious: 1, fraud: 2 } as const;

/**
 * Computes exact billing for one UTC day from the lake and replaces that day in
 * `billing_daily` in one transaction, recording the run in `batch_runs`.
 * Re-running a day gives identical rows.
 */
export async function runBatch(deps: BatchDeps, day: string): Promise<BatchResult> {
  const dayStartMs = parseIsoDay(day);
  const started = performance.now();
  const runId = await startBatchRun(deps.db, day);
  const logger = deps.logger.child({ day, runId });
  const scratch = await mkdtemp(join(deps.tmpDir ?? tmpdir(), "adclick-batch-"));
  try {
    const result = await compute(deps, day, dayStartMs, scratch, logger);
    const durationMs = Math.round(performance.now() - started);
    const stats = {
      eventsIn: result.eventsIn,
      duplicates: result.duplicates,
      fraudRemoved: result.fraudRemoved,
      rowsOut: result.rows.length,
      durationMs,
    };
    await replaceBillingDay(deps.pool, day, result.rows, runId, (tx) =>
      finishBatchRun(tx, runId, stats),
    );
    logger.info({ files: result.files, ...stats }, "batch finished");
    return { day, runId, files: result.files, ...stats, rows: result.rows };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await failBatchRun(deps.db, runId, message, Math.round(performance.now() - started)).catch(
      () => undefined,
    );
    logger.error({ err }, "batch failed");
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function compute(
  deps: BatchDeps,
  day: string,
  dayStartMs: number,
  scratch: string,
  logger: Logger,
) {
  const files = await stageDayFiles(deps.lake, day, scratch);
  const spill = join(scratch, "spill");
  await mkdir(spill, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: deps.memoryLimit ?? "512MB",
    threads: String(deps.threads ?? availableParallelism()),
    temp_directory: spill,
    preserve_insertion_order: "false",
  });
  const conn = await instance.connect();
  try {
    await conn.run(
      files.length
        ? createDayRawSql(files, dayStartMs, dayStartMs + DAY_MS)
        : CREATE_EMPTY_DAY_RAW_SQL,
    );
    await conn.run(CREATE_DAY_CLICKS_SQL);
    await conn.run(CREATE_DAY_FEATURES_SQL);
    await conn.run(CREATE_VERDICTS_SQL);
    await loadCampaignMeta(deps, conn);
    const scored = await scoreDay(deps, conn, dayStartMs);
    logger.debug(scored, "clicks scored");
    const counts = (await conn.runAndReadAll(COUNTS_SQL)).getRowObjectsJS()[0] as Record<
      string,
      number
    >;
    const reader = await conn.runAndReadAll(BILLING_ROWS_SQL);
    const rows: BillingRow[] = reader.getRowObjectsJS().map((r) => ({
      campaignId: String(r.campaign_id),
      advertiserId: String(r.advertiser_id),
      dimension: String(r.dimension),
      clicks: Number(r.clicks),
      uniqueUsers: Number(r.unique_users),
      costMicros: Number(r.cost_micros),
      fraudClicks: Number(r.fraud_clicks),
      suspiciousClicks: Number(r.suspicious_clicks),
    }));
    const eventsIn = Number(counts.events_in);
    return {
      files: files.length,
      eventsIn,
      duplicates: eventsIn - Number(counts.unique_events),
      fraudRemoved: Number(counts.fraud_removed),
      rows,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Local paths of every raw file of the day: in place for a folder lake, downloaded from S3 otherwise. */
async function stageDayFiles(lake: LakeStore, day: string, scratch: string): Promise<string[]> {
  const keys = (await lake.list(dayPrefix("raw", day))).filter((k) => k.endsWith(".parquet"));
  const paths: string[] = [];
  for (const [i, key] of keys.entries()) {
    const local = lake.localPath(key);
    if (local) {
      paths.push(local);
      continue;
    }
    const path = join(scratch, `${String(i).padStart(6, "0")}.parquet`);
    await writeFile(path, await lake.get(key));
    paths.push(path);
  }
  return paths;
}

async function loadCampaignMeta(deps: BatchDeps, conn: DuckDBConnection): Promise<void> {
  await conn.run(CREATE_CAMPAIGN_META_SQL);
  const ids = (await conn.runAndReadAll("select distinct campaign_id from day_clicks"))
    .getRowsJS()
    .map((r) => String(r[0]));
  const campaigns = await getCampaignPricingByIds(deps.db, ids);
  const appender = await conn.createAppender("campaign_meta");
  for (const c of campaigns) {
    appender.appendVarchar(c.id);
    appender.appendVarchar(c.advertiserId);
    appender.endRow();
  }
  appender.closeSync();
}

/**
 * Streams every deduped click through `scoreClick` (the stream's code) with
 * whole-day features, lets analyst verdicts override it, and appends the
 * clicks that are not clean to `verdicts`.
 */
async function scoreDay(deps: BatchDeps, conn: DuckDBConnection, dayStartMs: number) {
  const blocklist = new BlocklistMatcher(await readActiveBlocklist(deps.db));
  const ctx: ScoringContext = { ...deps.scoring, blocklist };
  const analyst = new Map<string, "clean" | "fraud">();
  for (const v of await listAnalystVerdicts(deps.db, dayStartMs, dayStartMs + DAY_MS)) {
    analyst.set(`${v.partnerId}\u0000${v.eventId}`, v.verdict);
  }
  const appender = await conn.createAppender("verdicts");
  const result = await conn.stream(SCORING_INPUT_SQL);
  let scored = 0;
  let overridden = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    const n = chunk.rowCount;
    for (let i = 0; i < n; i++) {
      const click: ClickRecord = {
        event_id: cols[0]![i] as string,
        partner_id: cols[1]![i] as string,
        campaign_id: cols[2]![i] as string,
        advertiser_id: cols[3]![i] as string,
        ad_id: cols[4]![i] as string,
        user_id: cols[5]![i] as string,
        ip: cols[6]![i] as string,
        user_agent: cols[7]![i] as string,
        ts: cols[8]![i] as number,
        received_at: cols[9]![i] as number,
        country: cols[10]![i] as string | null,
        device: cols[11]![i] as Device,
        publisher_id: cols[12]![i] as string | null,
        referrer: cols[13]![i] as string | null,
        cost_micros: cols[14]![i] as number,
      };
      let verdict: number;
      const decided = analyst.get(`${click.partner_id}\u0000${click.event_id}`);
      if (decided) {
        verdict = VERDICT_CODE[decided];
        overridden++;
      } else {
        const features = {
          ipClicksInMinute: cols[15]![i] as number,
          userClicksInMinute: cols[16]![i] as number,
          isDuplicate: false,
        };
        verdict = VERDICT_CODE[scoreClick(click, features, ctx).verdict];
      }
      if (verdict !== 0) {
        appender.appendVarchar(click.event_id);
        appender.appendUTinyInt(verdict);
        appender.endRow();
      }
    }
    scored += n;
  }
  appender.closeSync();
  return { scored, overridden };
}

/** The UTC day before `nowMs`, as YYYY-MM-DD. */
export function previousUtcDay(nowMs: number): string {
  return isoDay(nowMs - DAY_MS);
}
