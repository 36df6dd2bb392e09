import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { reviewQueue } from "../schema";
import { decideReviewItems } from "./review-workspace";

export type ReviewItem = typeof reviewQueue.$inferSelect;
export type ReviewStatus = ReviewItem["status"];

export interface NewReviewItem {
  partnerId: string;
  eventId: string;
  campaignId: string;
  advertiserId: string;
  clickTs: Date;
  risk: number;
  reasons: string[];
  /** The flagged click as the aggregator wrote it. */
  click: Record<string, unknown>;
}

/**
 * Queues suspicious clicks for review in one statement. A click already queued
 * (same partner and event id) is left exactly as it is, so a redelivered
 * message changes nothing and never touches an analyst's decision. Returns how
 * many rows were new.
 */
export async function insertReviewItems(db: DbOrTx, items: NewReviewItem[]): Promise<number> {
  if (items.length === 0) return 0;
  const inserted = await db
    .insert(reviewQueue)
    .values(items)
    .onConflictDoNothing({ target: [reviewQueue.partnerId, reviewQueue.eventId] })
    .returning({ eventId: reviewQueue.eventId });
  return inserted.length;
}

export async function getReviewItem(
  db: DbOrTx,
  key: { partnerId: string; eventId: string },
): Promise<ReviewItem | null> {
  const [row] = await db
    .select()
    .from(reviewQueue)
    .where(and(eq(reviewQueue.partnerId, key.partnerId), eq(reviewQueue.eventId, key.eventId)));
  return row ?? null;
}

/** Review items in one status, oldest first. */
export async function listReviewItems(
  db: DbOrTx,
  options: { status?: ReviewStatus; limit?: number } = {},
): Promise<ReviewItem[]> {
  return db
    .select()
    .from(reviewQueue)
    .where(eq(reviewQueue.status, options.status ?? "pending"))
    .orderBy(asc(reviewQueue.createdAt), asc(reviewQueue.eventId))
    .limit(options.limit ?? 100);
}

/**
 * Records an analyst's verdict on one queued click: the bulk decision for a
 * single key, so its audit row reads the same (`{ before, after }`). Returns the
 * updated item, or null when there is no such item.
 */
export async function decideReviewItem(
  db: DbOrTx,
  input: {
    partnerId: string;
    eventId: string;
    status: "clean" | "fraud";
    actor: string;
    note?: string | null;
  },
): Promise<ReviewItem | null> {
  return db.transaction(async (tx) => {
    const key = { partnerId: input.partnerId, eventId: input.eventId };
    const decided = await decideReviewItems(tx, {
      keys: [key],
      status: input.status,
      actor: input.actor,
      note: input.note ?? null,
    });
    return decided.length ? getReviewItem(tx, key) : null;
  });
}
