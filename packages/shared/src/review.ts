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

export const BlocklistAdd = z
  .object({
    kind: z.enum(BLOCKLIST_KINDS),
    value: z.string(),
    reason: z
      .string()
      .trim()
      .min(1, "Give a reason, for the audit trail")
      .max(200, "The reason must be at most 200 characters"),
    /** ISO time after which the entry stops applying; none means until removed. */
    expiresAt: z.iso
      .datetime({ offset: true, error: "The expiry must be a date and time" })
      .refine((at) => Date.parse(at) > Date.now(), "The expiry must be in the future")
      .optional(),
  })
  .transform((input, ctx) => {
    try {
      return { ...input, value: parseBlockValue(input.kind, input.value, VALUE_LABEL[input.kind]) };
    } catch (error) {
      ctx.addIssue({ code: "custom", path: ["value"], message: (error as Error).message });
      return z.NEVER;
    }
  });
export type BlocklistAdd = z.infer<typeof BlocklistAdd>;
