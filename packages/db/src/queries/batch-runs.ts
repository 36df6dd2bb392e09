import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { batchRuns } from "../schema";

export type BatchRun = typeof batchRuns.$inferSelect;

export interface BatchRunStats {
  eventsIn: number;
  duplicates: number;
  fraudRemoved: number;
  rowsOut: number;
  durationMs: number;
  /** The lake files billed: their number and a hash of their keys (see lakeFingerprint in the batch). */
  lakeFiles?: number;
  lakeFingerprint?: string;
}

/** Records that a batch for `day` started; returns the run id. */
export async function startBatchRun(db: DbOrTx, day: string): Promise<number> {
  const [row] = await db
    .insert(batchRuns)
    .values({ day, status: "running" })
    .returning({ id: batchRuns.id });
  return row!.id;
}

export async function finishBatchRun(db: DbOrTx, id: number, stats: BatchRunStats): Promise<void> {
  await db
    .update(batchRuns)
    .set({ status: "succeeded", finishedAt: sql`now()`, ...stats })
    .where(eq(batchRuns.id, id));
}

export async function failBatchRun(
  db: DbOrTx,
  id: number,
  error: string,
  durationMs: number,
): Promise<void> {
  await db
    .update(batchRuns)
    .set({ status: "failed", finishedAt: sql`now()`, error: error.slice(0, 2000), durationMs })
    .where(eq(batchRuns.id, id));
}

/**
 * Records that `day` waits for the lake to be complete, with the reason: one
 * "waiting" row per day, refreshed on every check until the day is billed.
 */
export async function recordWaitingBatchRun(
  db: DbOrTx,
  day: string,
  reason: string,
): Promise<void> {
  const [latest] = await db
    .select({ id: batchRuns.id, status: batchRuns.status })
    .from(batchRuns)
    .where(eq(batchRuns.day, day))
    .orderBy(desc(batchRuns.startedAt), desc(batchRuns.id))
    .limit(1);
  if (latest?.status === "waiting") {
    await db
      .update(batchRuns)
      .set({ finishedAt: sql`now()`, error: reason.slice(0, 2000) })
      .where(eq(batchRuns.id, latest.id));
    return;
  }
  await db
    .insert(batchRuns)
    .values({ day, status: "waiting", finishedAt: sql`now()`, error: reason.slice(0, 2000) });
}

/** What the scheduler needs to know of a day's runs. */
export interface BatchDayHistory {
  day: string;
  /** The latest succeeded run's lake fingerprint ("" when it recorded none); null when never billed. */
  billedFingerprint: string | null;
  /** Failed runs since the latest succeeded one. */
  failuresSinceSuccess: number;
}

/** The history of every day from `sinceDay` on that has a run, by day. */
export async function listBatchDayHistory(
  db: DbOrTx,
  sinceDay: string,
): Promise<Map<string, BatchDayHistory>> {
  const rows = await db
    .select({
      day: batchRuns.day,
      status: batchRuns.status,
      lakeFingerprint: batchRuns.lakeFingerprint,
    })
    .from(batchRuns)
    .where(gte(batchRuns.day, sinceDay))
    .orderBy(batchRuns.day, batchRuns.startedAt, batchRuns.id);
  const out = new Map<string, BatchDayHistory>();
  for (const r of rows) {
    let h = out.get(r.day);
    if (!h) {
      h = { day: r.day, billedFingerprint: null, failuresSinceSuccess: 0 };
      out.set(r.day, h);
    }
    if (r.status === "succeeded") {
      h.billedFingerprint = r.lakeFingerprint ?? "";
      h.failuresSinceSuccess = 0;
    } else if (r.status === "failed") {
      h.failuresSinceSuccess++;
    }
  }
  return out;
}

/** The latest day before `beforeDay` with a succeeded run, or null. */
export async function lastSucceededBatchDayBefore(
  db: DbOrTx,
  beforeDay: string,
): Promise<string | null> {
  const [row] = await db
    .select({ day: batchRuns.day })
    .from(batchRuns)
    .where(and(eq(batchRuns.status, "succeeded"), lt(batchRuns.day, beforeDay)))
    .orderBy(desc(batchRuns.day))
    .limit(1);
  return row?.day ?? null;
}

/** When the latest succeeded run finished (the "batch did not run" alert's clock), or null. */
export async function lastBatchSuccessAt(db: DbOrTx): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | null>`max(${batchRuns.finishedAt})` })
    .from(batchRuns)
    .where(eq(batchRuns.status, "succeeded"));
  return row?.at ? new Date(row.at) : null;
}

/** Days (YYYY-MM-DD) from `sinceDay` on that have a succeeded run. */
export async function listSucceededBatchDays(db: DbOrTx, sinceDay: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ day: batchRuns.day })
    .from(batchRuns)
    .where(and(eq(batchRuns.status, "succeeded"), gte(batchRuns.day, sinceDay)));
  return rows.map((r) => r.day).sort();
}

/** Runs, newest first (for the system page and tests). */
export async function listBatchRuns(db: DbOrTx, limit = 50): Promise<BatchRun[]> {
  return db
    .select()
    .from(batchRuns)
    .orderBy(desc(batchRuns.startedAt), desc(batchRuns.id))
    .limit(limit);
}

/** Runs left `running` by a process that died are marked failed, so the scheduler can retry their day. */
export async function failAbandonedBatchRuns(
  db: DbOrTx,
  olderThanMinutes: number,
): Promise<number> {
  const rows = await db
    .update(batchRuns)
    .set({
      status: "failed",
      finishedAt: sql`now()`,
      error: "abandoned: the process running it stopped",
    })
    .where(
      and(
        eq(batchRuns.status, "running"),
        sql`${batchRuns.startedAt} < now() - make_interval(mins => ${olderThanMinutes})`,
      ),
    )
    .returning({ id: batchRuns.id });
  return rows.length;
}

/** The latest run of each day since `fromDay` (the one behind that day's billing when it succeeded). */
export async function latestBatchRunPerDaySince(db: DbOrTx, fromDay: string): Promise<BatchRun[]> {
  return db
    .selectDistinctOn([batchRuns.day])
    .from(batchRuns)
    .where(gte(batchRuns.day, fromDay))
    .orderBy(desc(batchRuns.day), desc(batchRuns.startedAt), desc(batchRuns.id));
}
