import { and, asc, desc, eq, gte } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { reconciliationResults } from "../schema";

export type ReconciliationResult = typeof reconciliationResults.$inferSelect;
export type NewReconciliationResult = Omit<
  typeof reconciliationResults.$inferInsert,
  "id" | "checkedAt"
>;

/** Rows per INSERT: Postgres takes at most 65 535 parameters in one statement. */
const INSERT_CHUNK = 2000;

/** Stores one check's rows in one transaction, however many campaigns it covers. */
export async function insertReconciliationResults(
  db: DbOrTx,
  rows: NewReconciliationResult[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK)
      await tx.insert(reconciliationResults).values(rows.slice(i, i + INSERT_CHUNK));
  });
}

/** Every check of `day`, oldest first; `exceededOnly` keeps only the alerts. */
export async function listReconciliationResults(
  db: DbOrTx,
  day: string,
  exceededOnly = false,
): Promise<ReconciliationResult[]> {
  const where = exceededOnly
    ? and(eq(reconciliationResults.day, day), eq(reconciliationResults.thresholdExceeded, true))
    : eq(reconciliationResults.day, day);
  return db
    .select()
    .from(reconciliationResults)
    .where(where)
    .orderBy(asc(reconciliationResults.checkedAt), asc(reconciliationResults.campaignId));
}

/** The latest check of each (day, campaign) since `fromDay`, newest day first. */
export async function latestReconciliationSince(
  db: DbOrTx,
  fromDay: string,
): Promise<ReconciliationResult[]> {
  return db
    .selectDistinctOn([reconciliationResults.day, reconciliationResults.campaignId])
    .from(reconciliationResults)
    .where(gte(reconciliationResults.day, fromDay))
    .orderBy(
      desc(reconciliationResults.day),
      asc(reconciliationResults.campaignId),
      desc(reconciliationResults.checkedAt),
      desc(reconciliationResults.id),
    );
}
