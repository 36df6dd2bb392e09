/** The analysts' workspace: what the review router takes and answers. */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { normaliseIp } from "./fraud/ip";

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

/** An IP or CIDR in its normal spelling, or null when it is not one. */
export function normaliseBlockValue(
  kind: "ip" | "cidr" | "user_agent",
  raw: string,
): string | null {
  const value = raw.trim();
  if (!value) return null;
  if (kind === "user_agent") return value.length <= 512 ? value : null;
  try {
    if (kind === "ip")
      return ipaddr.IPv4.isValidFourPartDecimal(value) || ipaddr.IPv6.isValid(value)
        ? normaliseIp(value)
        : null;
    const [addr, bits] = ipaddr.parseCIDR(value);
    const network = ipaddr.IPv4.isValid(addr.toString())
      ? ipaddr.IPv4.networkAddressFromCIDR(value)
      : ipaddr.IPv6.networkAddressFromCIDR(value);
    return network.toString() === addr.toString() ? `${addr.toString()}/${bits}` : null;
  } catch {
    return null;
  }
}

export const BlocklistAdd = z
  .object({
    kind: z.enum(["ip", "cidr", "user_agent"]),
    value: z.string(),
    reason: z.string().trim().min(1, "give a reason"),
    /** ISO time after which the entry stops applying; none means until removed. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .transform((input, ctx) => {
    const value = normaliseBlockValue(input.kind, input.value);
    if (value === null) {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message:
          input.kind === "cidr"
            ? "expected a network such as 203.0.113.0/24 (no host bits set)"
            : input.kind === "ip"
              ? "expected an IPv4 or IPv6 address"
              : "expected a user-agent pattern of 1 to 512 characters",
      });
      return z.NEVER;
    }
    return { ...input, value };
  });
export type BlocklistAdd = z.infer<typeof BlocklistAdd>;
