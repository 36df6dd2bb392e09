import { desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { auditLog } from "../schema";

export interface AuditEntry {
  /** Who made the change: `cli`, or a user's email. */
  actor: string;
  /** What happened, as `<area>.<verb>`: `blocklist.add`, `review.decide`, `campaign.pause`. */
  action: string;
  /** What it happened to, as `<area>:<id>`: `blocklist:12`, `review:partner-a/evt-1`. */
  subject: string;
  detail?: Record<string, unknown>;
}

/** Appends one entry to the audit trail; pass the transaction that makes the change. */
export async function writeAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ ...entry, detail: entry.detail ?? {} });
}

/** The audit trail of one subject, newest first. */
export async function listAuditForSubject(db: DbOrTx, subject: string, limit = 100) {
  return db
    .select()
    .from(auditLog)
    .where(eq(auditLog.subject, subject))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}
