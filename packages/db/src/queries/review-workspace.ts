import { and, asc, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { auditLog, reviewQueue } from "../schema";
import { writeAudit } from "./audit";
import type { ReviewItem, ReviewStatus } from "./review-queue";

export interface ReviewQueueFilter {
  status?: ReviewStatus;
  campaignId?: string;
  partnerId?: string;
  /** A reason code the item must carry, e.g. `datacenter_ip`. */
  reason?: string;
  minRisk?: number;
  maxRisk?: number;
  /** A UTC day `YYYY-MM-DD` the click's time falls in. */
  day?: string;
  limit?: number;
}

/** Queue items matching every given filter, highest risk first. */
export async function listReviewQueue(
  db: DbOrTx,
  filter: ReviewQueueFilter = {},
): Promise<ReviewItem[]> {
  const where = [eq(reviewQueue.status, filter.status ?? "pending")];
  if (filter.campaignId) where.push(eq(reviewQueue.campaignId, filter.campaignId));
  if (filter.partnerId) where.push(eq(reviewQueue.partnerId, filter.partnerId));
  if (filter.reason)
    where.push(sql`${reviewQueue.reasons} @> ${JSON.stringify([filter.reason])}::jsonb`);
  if (filter.minRisk !== undefined) where.push(gte(reviewQueue.risk, filter.minRisk));
  if (filter.maxRisk !== undefined) where.push(lte(reviewQueue.risk, filter.maxRisk));
  if (filter.day) {
    const start = new Date(`${filter.day}T00:00:00Z`);
    where.push(gte(reviewQueue.clickTs, start));
    where.push(lt(reviewQueue.clickTs, new Date(start.getTime() + 86_400_000)));
  }
  return db
    .select()
    .from(reviewQueue)
    .where(and(...where))
    .orderBy(desc(reviewQueue.risk), asc(reviewQueue.clickTs), asc(reviewQueue.eventId))
    .limit(filter.limit ?? 200);
}

/** The distinct campaigns, partners and reason codes in the queue, for the filters' choices. */
export async function reviewQueueFacets(db: DbOrTx) {
  const rows = await db.execute<{ kind: string; value: string }>(sql`
    select distinct 'campaign' as kind, campaign_id as value from review_queue
    union select distinct 'partner', partner_id from review_queue
    union select distinct 'reason', jsonb_array_elements_text(reasons) from review_queue
    order by 1, 2`);
  const of = (kind: string) => rows.rows.filter((r) => r.kind === kind).map((r) => r.value);
  return { campaigns: of("campaign"), partners: of("partner"), reasons: of("reason") };
}

export interface ReviewKey {
  partnerId: string;
  eventId: string;
}

/**
 * Decides several queued clicks in one transaction, one audit row per click with
 * the item's state before and after. Returns the keys that were found.
 */
export async function decideReviewItems(
  db: DbOrTx,
  input: { keys: ReviewKey[]; status: "clean" | "fraud"; actor: string; note?: string | null },
): Promise<ReviewKey[]> {
  if (input.keys.length === 0) return [];
  return db.transaction(async (tx) => {
    const decided: ReviewKey[] = [];
    for (const key of input.keys) {
      const [before] = await tx
        .select({
          status: reviewQueue.status,
          decidedBy: reviewQueue.decidedBy,
          note: reviewQueue.note,
        })
        .from(reviewQueue)
        .where(and(eq(reviewQueue.partnerId, key.partnerId), eq(reviewQueue.eventId, key.eventId)))
        .for("update");
      if (!before) continue;
      const after = { status: input.status, decidedBy: input.actor, note: input.note ?? null };
      await tx
        .update(reviewQueue)
        .set({ ...after, decidedAt: sql`now()` })
        .where(and(eq(reviewQueue.partnerId, key.partnerId), eq(reviewQueue.eventId, key.eventId)));
      await writeAudit(tx, {
        actor: input.actor,
        action: "review.decide",
        subject: `review:${key.partnerId}/${key.eventId}`,
        detail: { before, after },
      });
      decided.push(key);
    }
    return decided;
  });
}

export type AuditRow = typeof auditLog.$inferSelect;

/** The newest audit rows, optionally only those whose action starts with `actionPrefix`. */
export async function listAuditTrail(
  db: DbOrTx,
  options: { actionPrefix?: string; limit?: number } = {},
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditLog)
    .where(
      options.actionPrefix ? sql`${auditLog.action} like ${`${options.actionPrefix}%`}` : undefined,
    )
    .orderBy(desc(auditLog.id))
    .limit(options.limit ?? 100);
}

/** Audit rows whose hash chain no longer holds (an edited, inserted or removed row), in id order. */
export async function verifyAuditChain(
  db: DbOrTx,
): Promise<Array<{ id: number; problem: "link" | "content" }>> {
  const rows = await db.execute<{ id: string; problem: "link" | "content" }>(
    sql`select id, problem from audit_log_verify()`,
  );
  return rows.rows.map((r) => ({ id: Number(r.id), problem: r.problem }));
}
