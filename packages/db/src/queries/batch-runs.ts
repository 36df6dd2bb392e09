import { and, desc, eq, gte, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { batchRuns } from "../schema";

export type BatchRun = typeof batchRuns.$inferSelect;

export interface BatchRunStats {
  eventsIn: number;
  duplicates: number;
  fraudRemoved: number;
  rowsOut: number;
  durationMs: number;
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
