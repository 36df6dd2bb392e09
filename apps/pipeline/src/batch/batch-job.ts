import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "@adclick/db/client";
import {
  activeFraudModel,
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
  CLICKS_PER_MINUTE_LIMIT,
  DAY_MS,
  isoDay,
  parseIsoDay,
  type ScoringContext,
} from "@adclick/shared";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { scorerFromStored } from "../fraud/model-source";
import { dayPrefix } from "../lake/lake-layout";
import type { LakeStore } from "../lake/lake-store";
import type { Logger } from "../runtime/logger";
import {
  billingSqlFor,
  COUNTS_SQL,
  CREATE_EMPTY_DAY_RAW_SQL,
  CREATE_SCORING_TABLES_SQL,
  createDayRawSql,
  DEDUPE_SQL,
  featuresSql,
  GROUPING_VALUES_SQL,
  keyCollisionsSql,
} from "./batch-sql";
import { scoreDayWithModel } from "./model-pass";
import { ScoringClasses, VERDICT_CODE } from "./scoring-classes";

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
  /** Data-centre ranges for scoring (default: the shared list); the blocklist is always read from Postgres. */
  scoring?: Pick<ScoringContext, "dataCentres">;
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
  /** A hash of the keys of the lake files billed: the scheduler re-bills the day when it changes. */
  lakeFingerprint: string;
  /** The fraud model that was active for the day (null: the rules alone). */
  modelVersion: number | null;
  /** Wall time of the batch's steps (dedupe, features, score, campaigns, aggregate). */
  stepMs: Record<string, number>;
  rows: BillingRow[];
}

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
      lakeFiles: result.files,
      lakeFingerprint: result.lakeFingerprint,
    };
    await replaceBillingDay(deps.pool, day, result.rows, runId, (tx) =>
      finishBatchRun(tx, runId, stats),
    );
    logger.info({ files: result.files, ...stats }, "batch finished");
    return {
      day,
      runId,
      files: result.files,
      ...stats,
      modelVersion: result.modelVersion,
      stepMs: result.stepMs,
      rows: result.rows,
    };
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
  const keys = await dayLakeFiles(deps.lake, day);
  const { instance, conn, files } = await openDay(deps, keys, scratch, dayStartMs);
  const timings: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const out = await fn();
    timings[name] = Math.round(performance.now() - t);
    return out;
  };
  try {
    await step("dedupe", () => runAll(conn, DEDUPE_SQL));
    await step("features", () => runAll(conn, featuresSql(CLICKS_PER_MINUTE_LIMIT)));
    await runAll(conn, CREATE_SCORING_TABLES_SQL);
    const defaultIpClass = await step("score", () => scoreClasses(deps, conn, dayStartMs));
    await conn.run(GROUPING_VALUES_SQL);
    const modelVersion = await step("model", () => scoreWithModel(deps, conn, dayStartMs, logger));
    await step("campaigns", () => loadCampaignMeta(deps, conn));
    const counts = (await conn.runAndReadAll(COUNTS_SQL)).getRowObjectsJS()[0] as Record<
      string,
      number
    >;
    const reader = await step("aggregate", async () => {
      const collisions = (await conn.runAndReadAll(keyCollisionsSql())).getRowObjectsJS()[0];
      const sql = billingSqlFor(collisions, defaultIpClass);
      if (sql.keys === "strings")
        logger.warn({ collisions }, "two values share a 64-bit key; billing by the strings");
      return conn.runAndReadAll(sql.text);
    });
    const rows: BillingRow[] = [];
    let fraudRemoved = 0;
    for (const r of reader.getRowObjectsJS()) {
      if (Number(r.unscored) > 0) {
        throw new Error(
          `${r.unscored} clicks of campaign ${r.campaign_id} have no verdict (a null IP or user agent?)`,
        );
      }
      if (r.dimension === "all") fraudRemoved += Number(r.fraud_clicks);
      rows.push({
        campaignId: String(r.campaign_id),
        advertiserId: String(r.advertiser_id),
        dimension: String(r.dimension),
        clicks: Number(r.clicks),
        uniqueUsers: Number(r.unique_users),
        costMicros: Number(r.cost_micros),
        fraudClicks: Number(r.fraud_clicks),
        suspiciousClicks: Number(r.suspicious_clicks),
      });
    }
    logger.debug({ timings }, "batch steps (ms)");
    return {
      files: files.length,
      lakeFingerprint: lakeFingerprint(keys),
      eventsIn: Number(counts.events_in),
      duplicates: Number(counts.duplicates),
      fraudRemoved,
      rows,
      modelVersion,
      stepMs: timings,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * A DuckDB instance with the batch's settings (spilling into `scratch`) and
 * the view `day_raw` over the day's files, staged locally.
 */
export async function openDay(
  deps: BatchDeps,
  keys: readonly string[],
  scratch: string,
  dayStartMs: number,
): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection; files: string[] }> {
  const files = await stageDayFiles(deps.lake, keys, scratch);
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
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    throw err;
  }
  return { instance, conn, files };
}

async function runAll(conn: DuckDBConnection, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await conn.run(sql);
}

/** The keys of every raw file of the day, sorted. */
export async function dayLakeFiles(lake: LakeStore, day: string): Promise<string[]> {
  return (await lake.list(dayPrefix("raw", day))).filter((k) => k.endsWith(".parquet")).sort();
}

/** A hash of a day's file keys: it changes when the lake gains (or loses) a file for the day. */
export function lakeFingerprint(keys: readonly string[]): string {
  return createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 32);
}

/** Local paths of the given files: in place for a folder lake, downloaded from S3 otherwise. */
async function stageDayFiles(
  lake: LakeStore,
  keys: readonly string[],
  scratch: string,
): Promise<string[]> {
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

export async function loadCampaignMeta(deps: BatchDeps, conn: DuckDBConnection): Promise<void> {
  const ids = (await conn.runAndReadAll("select distinct campaign_id from day_raw"))
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
 * Scores the day with `scoreClick` (the stream's code) once per scoring class
 * (see scoring-classes.ts): classifies every distinct IP and user agent,
 * stores the verdict of every class combination, and loads the analysts'
 * final verdicts, which override it. Returns the commonest IP class, whose IPs
 * are not stored.
 */
export async function scoreClasses(
  deps: BatchDeps,
  conn: DuckDBConnection,
  dayStartMs: number,
): Promise<number> {
  const blocklist = new BlocklistMatcher(await readActiveBlocklist(deps.db));
  const classes = new ScoringClasses({ ...deps.scoring, blocklist });

  const ipClassOf: number[] = [];
  const ips: string[] = [];
  const classClicks: number[] = [];
  const ipResult = await conn.stream("select ip, clicks::double from ip_day where ip is not null");
  for (;;) {
    const chunk = await ipResult.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const [ipColumn, clicksColumn] = chunk.getColumns() as [string[], number[]];
    for (let i = 0; i < chunk.rowCount; i++) {
      const ip = ipColumn[i]!;
      const cls = classes.ipClass(ip);
      ips.push(ip);
      ipClassOf.push(cls);
      classClicks[cls] = (classClicks[cls] ?? 0) + clicksColumn[i]!;
    }
  }
  let defaultIpClass = 0;
  for (const [cls, n] of classClicks.entries()) {
    if ((n ?? 0) > (classClicks[defaultIpClass] ?? 0)) defaultIpClass = cls;
  }
  const ipAppender = await conn.createAppender("ip_classes");
  for (let i = 0; i < ips.length; i++) {
    if (ipClassOf[i] === defaultIpClass) continue;
    ipAppender.appendVarchar(ips[i]!);
    ipAppender.appendInteger(ipClassOf[i]!);
    ipAppender.endRow();
  }
  ipAppender.closeSync();

  const uaAppender = await conn.createAppender("ua_classes");
  const uas = (
    await conn.runAndReadAll("select user_agent from ua_day where user_agent is not null")
  ).getRowsJS();
  for (const [userAgent] of uas) {
    uaAppender.appendVarchar(String(userAgent));
    uaAppender.appendInteger(classes.uaClass(String(userAgent)));
    uaAppender.endRow();
  }
  uaAppender.closeSync();

  const verdictAppender = await conn.createAppender("class_verdicts");
  for (const v of classes.verdicts()) {
    verdictAppender.appendInteger(v.ipClass);
    verdictAppender.appendInteger(v.uaClass);
    verdictAppender.appendBoolean(v.ipOver);
    verdictAppender.appendBoolean(v.userOver);
    verdictAppender.appendUTinyInt(VERDICT_CODE[v.verdict]);
    verdictAppender.endRow();
  }
  verdictAppender.closeSync();

  const analystAppender = await conn.createAppender("analyst_verdicts");
  for (const v of await listAnalystVerdicts(deps.db, dayStartMs, dayStartMs + DAY_MS)) {
    analystAppender.appendVarchar(v.partnerId);
    analystAppender.appendVarchar(v.eventId);
    analystAppender.appendUTinyInt(VERDICT_CODE[v.verdict]);
    analystAppender.endRow();
  }
  analystAppender.closeSync();
  return defaultIpClass;
}

/**
 * When a model was active for the day (the latest activation before the day
 * ended, so a re-run next week uses the same model), scores every click with
 * it into `model_verdicts` (model-pass.ts: in DuckDB, as `scoreClick` and a
 * `BehaviourTracker` fed the day in event-time order would). Returns the
 * model's version, or null (the class verdicts stand).
 */
async function scoreWithModel(
  deps: BatchDeps,
  conn: DuckDBConnection,
  dayStartMs: number,
  logger: Logger,
): Promise<number | null> {
  const stored = await activeFraudModel(deps.db, new Date(dayStartMs + DAY_MS - 1));
  if (!stored) return null;
  const rescored = await scoreDayWithModel(conn, {
    model: scorerFromStored(stored),
    blocklist: new BlocklistMatcher(await readActiveBlocklist(deps.db)),
    dataCentres: deps.scoring?.dataCentres,
  });
  if (rescored > 0) logger.debug({ rescored }, "clicks at a threshold rescored in JavaScript");
  return stored.version;
}

/** The UTC day before `nowMs`, as YYYY-MM-DD. */
export function previousUtcDay(nowMs: number): string {
  return isoDay(nowMs - DAY_MS);
}
