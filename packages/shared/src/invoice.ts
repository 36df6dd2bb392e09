import { z } from "zod";
import { roundMicrosToCents } from "./money";

/** One billed (day, campaign) of dimension 'all', as `billing_daily` holds it. */
export const BilledDay = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  campaignId: z.string().min(1),
  clicks: z.number().int().nonnegative(),
  costMicros: z.number().int().nonnegative(),
  fraudClicks: z.number().int().nonnegative(),
});
export type BilledDay = z.infer<typeof BilledDay>;

/** What issued invoices have already charged for one (day, campaign): a signed delta. */
export const CoveredDay = z.object({
  day: z.string(),
  campaignId: z.string(),
  clicks: z.number().int(),
  costMicros: z.number().int(),
  fraudClicks: z.number().int(),
});
export type CoveredDay = z.infer<typeof CoveredDay>;

export const InvoiceLineKind = z.enum(["usage", "credit", "debit"]);
export type InvoiceLineKind = z.infer<typeof InvoiceLineKind>;

export const InvoiceLine = z.object({
  kind: InvoiceLineKind,
  campaignId: z.string(),
  /** Null on usage lines (the whole month); the changed day on adjustments. */
  day: z.string().nullable(),
  cause: z.string().nullable(),
  clicks: z.number().int(),
  invalidClicks: z.number().int(),
  pricePerClickMicros: z.number().int(),
  /** Exact, before rounding. */
  costMicros: z.number().int(),
  /** Rounded once to cents: what is printed and summed. */
  amountMicros: z.number().int(),
});
export type InvoiceLine = z.infer<typeof InvoiceLine>;

export interface InvoiceDraft {
  lines: InvoiceLine[];
  /** Signed deltas this invoice charges per (day, campaign); stored so later invoices never charge them again. */
  basis: CoveredDay[];
  clicks: number;
  totalMicros: number;
}

const key = (day: string, campaignId: string) => `${day}|${campaignId}`;

function pricePerClick(costMicros: number, clicks: number): number {
  return clicks === 0 ? 0 : Math.round(costMicros / clicks);
}

/** `YYYY-MM` → first and last day of that UTC month. */
export function monthRange(month: string): { from: string; to: string } {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new Error(`month must be YYYY-MM, got "${month}"`);
  const last = new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}

/**
 * Usage lines of a month: one per campaign, summed over its billed days.
 * Adjustments: for every (day, campaign) of an earlier issued month, what is
 * billed now minus what issued invoices already charged; a non-zero difference
 * becomes one credit (cost went down: invalid activity removed) or debit (late
 * valid clicks). Re-billing a day again with the same result adds nothing.
 */
export function buildInvoice(
  month: BilledDay[],
  earlierBilledNow: BilledDay[],
  earlierCovered: CoveredDay[],
): InvoiceDraft {
  const lines: InvoiceLine[] = [];
  const basis: CoveredDay[] = [];
  const perCampaign = new Map<
    string,
    { clicks: number; costMicros: number; fraudClicks: number }
  >();
  for (const d of month) {
    const c = perCampaign.get(d.campaignId) ?? { clicks: 0, costMicros: 0, fraudClicks: 0 };
    c.clicks += d.clicks;
    c.costMicros += d.costMicros;
    c.fraudClicks += d.fraudClicks;
    perCampaign.set(d.campaignId, c);
    basis.push({ ...d });
  }
  for (const [campaignId, c] of [...perCampaign].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push({
      kind: "usage",
      campaignId,
      day: null,
      cause: null,
      clicks: c.clicks,
      invalidClicks: c.fraudClicks,
      pricePerClickMicros: pricePerClick(c.costMicros, c.clicks),
      costMicros: c.costMicros,
      amountMicros: roundMicrosToCents(c.costMicros),
    });
  }

  const covered = new Map<string, CoveredDay>();
  for (const c of earlierCovered) {
    const k = key(c.day, c.campaignId);
    const acc = covered.get(k) ?? {
      day: c.day,
      campaignId: c.campaignId,
      clicks: 0,
      costMicros: 0,
      fraudClicks: 0,
    };
    acc.clicks += c.clicks;
    acc.costMicros += c.costMicros;
    acc.fraudClicks += c.fraudClicks;
    covered.set(k, acc);
  }
  const now = new Map<string, BilledDay>();
  for (const d of earlierBilledNow) now.set(key(d.day, d.campaignId), d);
  const keys = [...new Set([...covered.keys(), ...now.keys()])].sort();
  for (const k of keys) {
    const was = covered.get(k);
    const is = now.get(k);
    const [day, campaignId] = k.split("|") as [string, string];
    const delta = {
      day,
      campaignId,
      clicks: (is?.clicks ?? 0) - (was?.clicks ?? 0),
      costMicros: (is?.costMicros ?? 0) - (was?.costMicros ?? 0),
      fraudClicks: (is?.fraudClicks ?? 0) - (was?.fraudClicks ?? 0),
    };
    if (delta.clicks === 0 && delta.costMicros === 0 && delta.fraudClicks === 0) continue;
    basis.push(delta);
    if (delta.costMicros === 0 && delta.clicks === 0) continue;
    const credit = delta.costMicros < 0 || (delta.costMicros === 0 && delta.clicks < 0);
    lines.push({
      kind: credit ? "credit" : "debit",
      campaignId,
      day,
      cause: credit
        ? delta.fraudClicks > 0
          ? `invalid activity: ${delta.fraudClicks} clicks removed after issue`
          : "clicks removed by a re-run after issue"
        : `late valid clicks billed after issue: ${delta.clicks}`,
      clicks: delta.clicks,
      invalidClicks: delta.fraudClicks,
      pricePerClickMicros: pricePerClick(Math.abs(delta.costMicros), Math.abs(delta.clicks)),
      costMicros: delta.costMicros,
      amountMicros: roundMicrosToCents(delta.costMicros),
    });
  }
  return {
    lines,
    basis,
    clicks: lines.reduce((s, l) => s + l.clicks, 0),
    totalMicros: lines.reduce((s, l) => s + l.amountMicros, 0),
  };
}

/**
 * Why `month` (YYYY-MM) cannot be invoiced yet at `nowMs`, or null once it has
 * ended (UTC). Invoicing a running month would turn the rest of it into late debits.
 */
export function monthNotEndedReason(month: string, nowMs: number): string | null {
  const { to } = monthRange(month);
  const end = Date.parse(`${to}T00:00:00Z`) + 86_400_000;
  if (nowMs >= end) return null;
  const next = new Date(end).toISOString().slice(0, 10);
  return `${month} has not ended yet; it can be invoiced from ${next} (UTC)`;
}

/** A billing month as the forms and the CLI spell it. */
export const InvoiceMonth = z
  .string({ error: "month is required (YYYY-MM, e.g. 2026-11)" })
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: "month must be YYYY-MM, e.g. 2026-11" });

const AdvertiserId = z
  .string({ error: "advertiser is required" })
  .trim()
  .min(1, { error: "advertiser is required" })
  .max(128, { error: "advertiser id is too long" });

/** Finance issuing one advertiser's month from the dashboard. */
export const IssueInvoiceInput = z.object({ advertiserId: AdvertiserId, month: InvoiceMonth });
export type IssueInvoiceInput = z.infer<typeof IssueInvoiceInput>;

/** One invoice by its id (not its number: drafts have none). */
export const InvoiceById = z.object({
  id: z.number({ error: "id is required" }).int().positive({ error: "id must be positive" }),
});
export type InvoiceById = z.infer<typeof InvoiceById>;

/** Longest range one `billing_daily` export may cover. */
export const MAX_BILLING_EXPORT_DAYS = 366;

const Day = (name: string) =>
  z
    .string({ error: `${name} is required (YYYY-MM-DD)` })
    .pipe(z.iso.date({ error: `${name} must be a calendar date YYYY-MM-DD, e.g. 2026-11-01` }));

/**
 * The query of a `billing_daily` CSV export: an inclusive day range and, for
 * finance and admin, the advertiser (an advertiser's own export names none, or its own).
 */
export const BillingExportQuery = z
  .object({
    advertiser: AdvertiserId.optional(),
    from: Day("from"),
    to: Day("to"),
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "to must not be before from" });
      return;
    }
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
    if (days > MAX_BILLING_EXPORT_DAYS)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `the range may cover at most ${MAX_BILLING_EXPORT_DAYS} days`,
      });
  });
export type BillingExportQuery = z.infer<typeof BillingExportQuery>;
