import { and, gte, lt, ne } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { reviewQueue } from "../schema";

export interface AnalystVerdict {
  partnerId: string;
  eventId: string;
  verdict: "clean" | "fraud";
}

/**
 * Every decided review item (status clean or fraud) whose click time falls in
 * [fromMs, toMs): the nightly batch lets these override the model (C8).
 */
export async function listAnalystVerdicts(
  db: DbOrTx,
  fromMs: number,
  toMs: number,
): Promise<AnalystVerdict[]> {
  const rows = await db
    .select({
      partnerId: reviewQueue.partnerId,
      eventId: reviewQueue.eventId,
      status: reviewQueue.status,
    })
    .from(reviewQueue)
    .where(
      and(
        ne(reviewQueue.status, "pending"),
        gte(reviewQueue.clickTs, new Date(fromMs)),
        lt(reviewQueue.clickTs, new Date(toMs)),
      ),
    );
  return rows.map((r) => ({
    partnerId: r.partnerId,
    eventId: r.eventId,
    verdict: r.status as "clean" | "fraud",
  }));
}

/** Every decided review item with its stored click (and the features it was flagged with): labels for training. */
export async function listDecidedReviewClicks(
  db: DbOrTx,
): Promise<Array<{ click: Record<string, unknown>; verdict: "clean" | "fraud" }>> {
  const rows = await db
    .select({ click: reviewQueue.click, status: reviewQueue.status })
    .from(reviewQueue)
    .where(ne(reviewQueue.status, "pending"));
  return rows.map((r) => ({ click: r.click, verdict: r.status as "clean" | "fraud" }));
}

/** Analysts' decisions made since `since`, with the risk the stream gave each click: how a model does on them. */
export async function listDecisionsSince(
  db: DbOrTx,
  since: Date,
): Promise<Array<{ risk: number; reasons: string[]; verdict: "clean" | "fraud" }>> {
  const rows = await db
    .select({ risk: reviewQueue.risk, reasons: reviewQueue.reasons, status: reviewQueue.status })
    .from(reviewQueue)
    .where(and(ne(reviewQueue.status, "pending"), gte(reviewQueue.decidedAt, since)));
  return rows.map((r) => ({
    risk: r.risk,
    reasons: r.reasons,
    verdict: r.status as "clean" | "fraud",
  }));
}
