/** The analysts' workspace: what the review router takes and answers. */
import { z } from "zod";
import { BLOCKLIST_KINDS, type BlocklistKind, parseBlockValue } from "./blocklist-value";

export const IsoDayInput = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "day must be YYYY-MM-DD");

export const ReviewFilter = z
  .object({
    campaignId: z.string().trim().min(1).optional(),
    partnerId: z.string().trim().min(1).optional(),
    reason: z.string().trim().min(1).optional(),
    minRisk: z.number().min(0).max(1).optional(),
    maxRisk: z.number().min(0).max(1).optional(),
    day: IsoDayInput.optional(),
  })
  .refine((f) => f.minRisk === undefined || f.maxRisk === undefined || f.minRisk <= f.maxRisk, {
    error: "the lowest score must not be above the highest",
    path: ["maxRisk"],
  });
export type ReviewFilter = z.infer<typeof ReviewFilter>;

export const ReviewKey = z.object({ partnerId: z.string().min(1), eventId: z.string().min(1) });
export type ReviewKey = z.infer<typeof ReviewKey>;

export const ReviewDecision = z.object({
  keys: z.array(ReviewKey).min(1, "select at least one click").max(500),
  verdict: z.enum(["clean", "fraud"]),
  note: z.string().trim().max(1000).optional(),
});
export type ReviewDecision = z.infer<typeof ReviewDecision>;

/** How the dashboard's blocklist form names the value in its messages. */
const VALUE_LABEL: Record<BlocklistKind, string> = {
  ip: "The IP address",
  cidr: "The network",
  user_agent: "The user-agent pattern",
};

const BlockReason = z
  .string()
  .trim()
  .min(1, "Give a reason, for the audit trail")
  .max(200, "The reason must be at most 200 characters");

/** ISO time after which the entry stops applying; none means until removed. */
const BlockExpiry = z.iso
  .datetime({ offset: true, error: "The expiry must be a date and time" })
  .refine((at) => Date.parse(at) > Date.now(), "The expiry must be in the future")
  .optional();

/**
 * A blocklist entry to add. The fields are checked together, so a form learns
 * every wrong field at once (value, reason and expiry), not the first alone.
 */
export const BlocklistAdd = z
  .object({
    kind: z.enum(BLOCKLIST_KINDS),
    value: z.string(),
    reason: z.string(),
    expiresAt: z.string().optional(),
  })
  .transform((input, ctx) => {
    const fail = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    let value = "";
    try {
      value = parseBlockValue(input.kind, input.value, VALUE_LABEL[input.kind]);
    } catch (error) {
      fail("value", (error as Error).message);
    }
    const reason = BlockReason.safeParse(input.reason);
    if (!reason.success) fail("reason", reason.error.issues[0]!.message);
    const expiresAt = BlockExpiry.safeParse(input.expiresAt);
    if (!expiresAt.success) fail("expiresAt", expiresAt.error.issues[0]!.message);
    if (!value || !reason.success || !expiresAt.success) return z.NEVER;
    return { kind: input.kind, value, reason: reason.data, expiresAt: expiresAt.data };
  });
export type BlocklistAdd = z.infer<typeof BlocklistAdd>;

/** Which audit rows to show: one area's (`review`, `blocklist`) or all, newest first. */
export const AuditTrailInput = z
  .object({
    area: z.enum(["review", "blocklist"]).optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .default({ limit: 100 });
export type AuditTrailInput = z.infer<typeof AuditTrailInput>;

/**
 * An audit row's change as before and after: decisions record both; an added
 * blocklist entry has only an after, a removed one only a before.
 */
export function auditChange(
  action: string,
  detail: Record<string, unknown>,
): { before: unknown; after: unknown } {
  if ("before" in detail || "after" in detail)
    return { before: detail.before ?? null, after: detail.after ?? null };
  if (action.endsWith(".remove")) return { before: detail, after: null };
  return { before: null, after: detail };
}

const DAY_MS = 86_400_000;

/** The days and grouping of the fraud-rate charts: at most 92 days. */
export const FraudRatesInput = z
  .object({
    by: z.enum(["campaign", "partner"]),
    from: IsoDayInput,
    to: IsoDayInput,
  })
  .refine((r) => r.from <= r.to, {
    error: "the first day must not be after the last",
    path: ["to"],
  })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= 91 * DAY_MS, {
    error: "choose at most 92 days",
    path: ["from"],
  });
export type FraudRatesInput = z.infer<typeof FraudRatesInput>;

/** One billed day of one campaign or partner: clicks seen, and how many were suspicious or fraud. */
export const FraudRatePoint = z.object({
  day: IsoDayInput,
  key: z.string(),
  /** Every scored click: counted (clean and suspicious) plus fraud (dropped). */
  seen: z.number().int().nonnegative(),
  suspicious: z.number().int().nonnegative(),
  fraud: z.number().int().nonnegative(),
});
export type FraudRatePoint = z.infer<typeof FraudRatePoint>;

/** A share of the clicks seen, 0 when none were. */
export const rateOf = (part: number, seen: number): number => (seen > 0 ? part / seen : 0);
