import { type BilledDay, buildInvoice, type CoveredDay, monthRange } from "@adclick/shared/invoice";
import { and, asc, desc, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { billingDaily, invoiceBasis, invoiceCounter, invoiceLines, invoices } from "../schema";

export type Invoice = typeof invoices.$inferSelect;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;

/** Issuing a month that already has an issued (or paid) invoice. */
export class InvoiceAlreadyIssuedError extends Error {
  constructor(
    readonly advertiserId: string,
    readonly month: string,
    readonly number: number | null,
  ) {
    super(`invoice for ${advertiserId} ${month} is already issued (number ${number})`);
  }
}

const ISSUED = ["issued", "paid"] as const;

async function billedDays(
  db: DbOrTx,
  advertiserId: string,
  from: string,
  to: string,
): Promise<BilledDay[]> {
  return db
    .select({
      day: billingDaily.day,
      campaignId: billingDaily.campaignId,
      clicks: billingDaily.clicks,
      costMicros: billingDaily.costMicros,
      fraudClicks: billingDaily.fraudClicks,
    })
    .from(billingDaily)
    .where(
      and(
        eq(billingDaily.advertiserId, advertiserId),
        eq(billingDaily.dimension, "all"),
        gte(billingDaily.day, from),
        lte(billingDaily.day, to),
      ),
    )
    .orderBy(asc(billingDaily.day), asc(billingDaily.campaignId));
}

/**
 * Issues `month` (YYYY-MM) for an advertiser in one transaction: usage lines from
 * `billing_daily`, adjustment lines for earlier issued months whose billing has
 * changed since, and the next number from the counter (its row lock serialises
 * issuers; a rollback gives the number back, so numbers have no gaps).
 */
export async function issueInvoice(
  db: DbOrTx,
  advertiserId: string,
  month: string,
): Promise<Invoice> {
  const { from, to } = monthRange(month);
  return db.transaction(async (tx) => {
    const [counter] = await tx.select().from(invoiceCounter).for("update");
    if (!counter) throw new Error("invoice_counter is empty: run adclick migrate");
    const [existing] = await tx
      .select()
      .from(invoices)
      .where(and(eq(invoices.advertiserId, advertiserId), eq(invoices.month, from)));
    if (existing && existing.status !== "draft")
      throw new InvoiceAlreadyIssuedError(advertiserId, month, existing.number);
    if (existing) {
      await tx.delete(invoiceLines).where(eq(invoiceLines.invoiceId, existing.id));
      await tx.delete(invoiceBasis).where(eq(invoiceBasis.invoiceId, existing.id));
      await tx.delete(invoices).where(eq(invoices.id, existing.id));
    }

    const issuedEarlier = await tx
      .select({ id: invoices.id, month: invoices.month })
      .from(invoices)
      .where(
        and(
          eq(invoices.advertiserId, advertiserId),
          inArray(invoices.status, [...ISSUED]),
          lt(invoices.month, from),
        ),
      );
    const earlierNow: BilledDay[] = [];
    for (const m of issuedEarlier) {
      const r = monthRange(m.month.slice(0, 7));
      earlierNow.push(...(await billedDays(tx, advertiserId, r.from, r.to)));
    }
    const covered: CoveredDay[] = issuedEarlier.length
      ? await tx
          .select({
            day: invoiceBasis.day,
            campaignId: invoiceBasis.campaignId,
            clicks: invoiceBasis.clicks,
            costMicros: invoiceBasis.costMicros,
            fraudClicks: invoiceBasis.fraudClicks,
          })
          .from(invoiceBasis)
          .innerJoin(invoices, eq(invoices.id, invoiceBasis.invoiceId))
          .where(
            and(
              eq(invoices.advertiserId, advertiserId),
              inArray(invoices.status, [...ISSUED]),
              lt(invoiceBasis.day, from),
            ),
          )
      : [];
    const draft = buildInvoice(await billedDays(tx, advertiserId, from, to), earlierNow, covered);

    const [inv] = await tx
      .insert(invoices)
      .values({
        advertiserId,
        month: from,
        clicks: draft.clicks,
        totalMicros: draft.totalMicros,
        lines: draft.lines.map((l) => ({
          campaignId: l.campaignId,
          clicks: l.clicks,
          costMicros: l.amountMicros,
        })),
      })
      .returning();
    if (!inv) throw new Error("invoice insert returned nothing");
    if (draft.lines.length)
      await tx.insert(invoiceLines).values(draft.lines.map((l) => ({ ...l, invoiceId: inv.id })));
    if (draft.basis.length)
      await tx.insert(invoiceBasis).values(draft.basis.map((b) => ({ ...b, invoiceId: inv.id })));
    const number = counter.lastNumber + 1;
    await tx.update(invoiceCounter).set({ lastNumber: number });
    const [issued] = await tx
      .update(invoices)
      .set({ status: "issued", number, issuedAt: sql`now()` })
      .where(eq(invoices.id, inv.id))
      .returning();
    if (!issued) throw new Error("invoice issue returned nothing");
    return issued;
  });
}

/** issued → paid; anything else is refused by the database's trigger. */
export async function markInvoicePaid(db: DbOrTx, id: number): Promise<Invoice | null> {
  const [row] = await db
    .update(invoices)
    .set({ status: "paid", paidAt: sql`now()` })
    .where(and(eq(invoices.id, id), eq(invoices.status, "issued")))
    .returning();
  return row ?? null;
}

/** Every invoice the caller's scope can see, newest month first. */
export async function listInvoices(db: DbOrTx, advertiserId?: string): Promise<Invoice[]> {
  return db
    .select()
    .from(invoices)
    .where(advertiserId ? eq(invoices.advertiserId, advertiserId) : undefined)
    .orderBy(desc(invoices.month), asc(invoices.advertiserId));
}

export async function getInvoice(
  db: DbOrTx,
  id: number,
): Promise<{ invoice: Invoice; lines: InvoiceLineRow[] } | null> {
  const [invoice] = await db.select().from(invoices).where(eq(invoices.id, id));
  if (!invoice) return null;
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(eq(invoiceLines.invoiceId, id))
    .orderBy(
      asc(invoiceLines.kind),
      asc(invoiceLines.day),
      asc(invoiceLines.campaignId),
      asc(invoiceLines.id),
    );
  return { invoice, lines };
}

/** `billing_daily` rows (every dimension) of one advertiser over [from, to], for the CSV export. */
export async function billingDailyForAdvertiser(
  db: DbOrTx,
  advertiserId: string,
  from: string,
  to: string,
) {
  return db
    .select()
    .from(billingDaily)
    .where(
      and(
        eq(billingDaily.advertiserId, advertiserId),
        gte(billingDaily.day, from),
        lte(billingDaily.day, to),
      ),
    )
    .orderBy(asc(billingDaily.day), asc(billingDaily.campaignId), asc(billingDaily.dimension));
}
