import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { reconciliationResults } from "../schema";

export type ReconciliationResult = typeof reconciliationResults.$inferSelect;
export type NewReconciliationResult = Omit<
  typeof reconciliationResults.$inferInsert,
  "id" | "checkedAt"
>;

export async function insertReconciliationResults(
  db: DbOrTx,
  rows: NewReconciliationResult[],
): Promise<void> {
  if (rows.length) await db.insert(reconciliationResults).values(rows);
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
