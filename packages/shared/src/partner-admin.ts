/** Inputs of the admins' partner screen, shared by the web's procedures and its forms. */
import { z } from "zod";

export const PartnerId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "partner id: 1-64 characters of A-Z a-z 0-9 _ . -" });

export const RateLimitPerSec = z
  .number({ error: "rate limit must be a number of events per second" })
  .int({ error: "rate limit must be a whole number of events per second" })
  .min(1, { error: "rate limit must be at least 1 event per second" })
  .max(1_000_000, { error: "rate limit must be at most 1,000,000 events per second" });

export const PartnerCreate = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: "name is required" })
    .max(200, { error: "name must be at most 200 characters" }),
  id: PartnerId.optional(),
  rateLimitPerSec: RateLimitPerSec.default(5000),
});
export type PartnerCreate = z.infer<typeof PartnerCreate>;

export const PartnerRef = z.object({ partnerId: PartnerId });

export const PartnerKeyRef = PartnerRef.extend({ keyId: z.number().int().positive() });

export const PartnerRateLimit = PartnerRef.extend({ rateLimitPerSec: RateLimitPerSec });

export const PartnerRequireSignature = PartnerRef.extend({ require: z.boolean() });

export const TrafficRange = z.object({
  minutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(60),
});

/** The fields of a signed redirect link (GET /c/<token> on the ingest). */
export const RedirectLinkInput = z.object({
  partnerId: PartnerId,
  campaignId: z.string().min(1, { error: "campaign is required" }).max(128),
  adId: z.string().min(1, { error: "ad id is required" }).max(128),
  landingUrl: z.string().min(1, { error: "landing URL is required" }).max(2048),
  publisherId: z.string().max(128).optional(),
  validDays: z.number().int().min(1).max(365).default(90),
});
export type RedirectLinkInput = z.infer<typeof RedirectLinkInput>;
