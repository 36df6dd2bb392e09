import type { DbOrTx } from "@adclick/db/client";
import {
  addSigningSecret,
  createPartner,
  getCampaignPricing,
  getPartner,
  listPartnerSummaries,
  retireOldSigningSecrets,
  revokePartner,
  revokePartnerApiKey,
  rotatePartnerApiKey,
  setPartnerRateLimit,
  setPartnerRequireSignature,
  writeAudit,
} from "@adclick/db/queries";
import { withStaffScope } from "@adclick/db/scope";
import { CLICK_TOKEN_DEFAULT_TTL_SECONDS, signClickToken } from "@adclick/shared/click-token";
import {
  PartnerCreate,
  PartnerKeyRef,
  PartnerRateLimit,
  PartnerRef,
  PartnerRequireSignature,
  RedirectLinkInput,
  TrafficRange,
} from "@adclick/shared/partner-admin";
import { generateSigningSecret, sealSigningSecret } from "@adclick/shared/request-signing";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { env } from "../../env";
import { type LiveSource, webLiveSource } from "../live/live-source";
import { readPartnerTraffic } from "../partners/partner-traffic";
import { roleProcedure } from "../trpc";

/** Admins only; every call runs under the admin staff scope, which the database's policies check again. */
const admin = roleProcedure("admin");

const notFound = (partnerId: string) =>
  new TRPCError({ code: "NOT_FOUND", message: `partner ${partnerId} not found` });

/** The partner, active; NOT_FOUND when unknown, BAD_REQUEST when revoked. */
async function activePartner(tx: DbOrTx, partnerId: string) {
  const partner = await getPartner(tx, partnerId);
  if (!partner) throw notFound(partnerId);
  if (partner.revokedAt)
    throw new TRPCError({ code: "BAD_REQUEST", message: `partner ${partnerId} is revoked` });
  return partner;
}

export function makePartnersRouter(
  live: () => LiveSource = webLiveSource,
  now: () => number = Date.now,
) {
  return {
    /** Every partner with its keys (prefixes only) and signing settings. */
    list: admin.query(({ ctx }) =>
      withStaffScope(ctx.db, ctx.staff, (tx) => listPartnerSummaries(tx)),
    ),

    /** Creates a partner and its first API key, returned once (only its hash is stored). */
    create: admin.input(PartnerCreate).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        if (input.id && (await getPartner(tx, input.id)))
          throw new TRPCError({ code: "CONFLICT", message: `partner ${input.id} already exists` });
        const { partner, apiKey } = await createPartner(tx, {
          ...(input.id ? { id: input.id } : {}),
          name: input.name,
          rateLimitPerSec: input.rateLimitPerSec,
        });
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.create",
          subject: `partner:${partner.id}`,
          detail: { name: partner.name, rateLimitPerSec: partner.rateLimitPerSec },
        });
        return { partnerId: partner.id, apiKey };
      }),
    ),

    /** A new key; the newest previous key keeps working until revoked, older ones stop. */
    rotateKey: admin.input(PartnerRef).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        await activePartner(tx, input.partnerId);
        const rotated = await rotatePartnerApiKey(tx, input.partnerId);
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.key.rotate",
          subject: `partner:${input.partnerId}`,
          detail: { revokedKeyIds: rotated.revokedKeyIds },
        });
        return rotated;
      }),
    ),

    revokeKey: admin.input(PartnerKeyRef).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        const revoked = await revokePartnerApiKey(tx, input.partnerId, input.keyId);
        if (!revoked)
          throw new TRPCError({
            code: "NOT_FOUND",
            message: `no live key ${input.keyId} for partner ${input.partnerId}`,
          });
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.key.revoke",
          subject: `partner:${input.partnerId}`,
          detail: { keyId: input.keyId },
        });
        return { revoked: true };
      }),
    ),

    /** Revokes the partner and every key it holds. */
    revoke: admin.input(PartnerRef).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        if (!(await revokePartner(tx, input.partnerId))) throw notFound(input.partnerId);
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.revoke",
          subject: `partner:${input.partnerId}`,
        });
        return { revoked: true };
      }),
    ),

    setRateLimit: admin.input(PartnerRateLimit).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        if (!(await setPartnerRateLimit(tx, input.partnerId, input.rateLimitPerSec)))
          throw notFound(input.partnerId);
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.rate-limit",
          subject: `partner:${input.partnerId}`,
          detail: { rateLimitPerSec: input.rateLimitPerSec },
        });
        return { rateLimitPerSec: input.rateLimitPerSec };
      }),
    ),

    /** A new request-signing secret, returned once; the previous one stays valid (rotation). */
    issueSigningSecret: admin.input(PartnerRef).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        await activePartner(tx, input.partnerId);
        const secret = generateSigningSecret();
        await addSigningSecret(tx, input.partnerId, sealSigningSecret(env.APP_SECRET, secret));
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.signing-secret.issue",
          subject: `partner:${input.partnerId}`,
        });
        return { secret };
      }),
    ),

    /** Ends a signing-secret rotation: only the newest secret stays valid. */
    retireOldSigningSecrets: admin.input(PartnerRef).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        await activePartner(tx, input.partnerId);
        const retired = await retireOldSigningSecrets(tx, input.partnerId);
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.signing-secret.retire",
          subject: `partner:${input.partnerId}`,
          detail: { retired },
        });
        return { retired };
      }),
    ),

    setRequireSignature: admin.input(PartnerRequireSignature).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        const result = await setPartnerRequireSignature(tx, input.partnerId, input.require);
        if (result === "not-found") throw notFound(input.partnerId);
        if (result === "no-secret")
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: "issue a signing secret before requiring signatures",
          });
        await writeAudit(tx, {
          actor: ctx.session.user.email,
          action: "partner.signing-required",
          subject: `partner:${input.partnerId}`,
          detail: { require: input.require },
        });
        return { requireSignature: input.require };
      }),
    ),

    /** Each partner's accepted, duplicate and rejected events (by reason), 429s and 401s per minute. */
    traffic: admin.input(TrafficRange).query(async ({ ctx, input }) => {
      const partners = await withStaffScope(ctx.db, ctx.staff, (tx) => listPartnerSummaries(tx));
      return readPartnerTraffic(
        live().redis,
        partners.map((p) => p.id),
        input.minutes,
        now(),
      );
    }),

    /** A signed redirect link for a partner's placement of a campaign's ad. */
    redirectLink: admin.input(RedirectLinkInput).mutation(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, async (tx) => {
        await activePartner(tx, input.partnerId);
        const campaign = await getCampaignPricing(tx, input.campaignId);
        if (!campaign)
          throw new TRPCError({
            code: "NOT_FOUND",
            message: `campaign ${input.campaignId} not found`,
          });
        const ttl = input.validDays * 86_400 || CLICK_TOKEN_DEFAULT_TTL_SECONDS;
        const expiresAtSeconds = Math.floor(now() / 1000) + ttl;
        let token: string;
        try {
          token = signClickToken(env.APP_SECRET, {
            campaignId: input.campaignId,
            adId: input.adId,
            partnerId: input.partnerId,
            landingUrl: input.landingUrl,
            ...(input.publisherId ? { publisherId: input.publisherId } : {}),
            expiresAtSeconds,
          });
        } catch (error) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: error instanceof Error ? error.message : "invalid link fields",
          });
        }
        return {
          path: `/c/${token}`,
          expiresAt: new Date(expiresAtSeconds * 1000).toISOString(),
        };
      }),
    ),
  } satisfies TRPCRouterRecord;
}

export const partnersRouter = makePartnersRouter();
