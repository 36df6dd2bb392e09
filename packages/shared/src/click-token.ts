/**
 * Signed click-redirect tokens for `GET /c/<token>` (C1). A token names the
 * campaign, ad, partner and landing URL and expires; it is
 *
 *   base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload part))
 *
 * with the key derived from APP_SECRET for this purpose only. Anyone holding
 * APP_SECRET (the web app's partner docs page, the CLI) can mint tokens; a
 * changed byte gets a 400 at the redirect and records nothing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * The landing URL as a token carries it: ASCII only (WHATWG serialisation
 * percent-encodes the path and query and punycodes the host), so it can be sent
 * as a `Location` header. CR, LF and other control characters are refused
 * rather than silently dropped (they would otherwise split the header).
 */
export function normaliseLandingUrl(url: string): string {
  if (CONTROL_CHARS.test(url))
    throw new Error("landing URL must not contain control characters (CR, LF, …)");
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url))
    throw new Error("landing URL must be http(s)");
  return new URL(url).href;
}

const ClickTokenPayload = z.object({
  /** campaign_id */
  c: z.string().min(1).max(128),
  /** ad_id */
  a: z.string().min(1).max(128),
  /** partner_id */
  p: z.string().min(1).max(128),
  /** landing URL (http or https, no control characters) */
  u: z
    .string()
    .max(2048)
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), {
      error: "landing URL must be http(s)",
    })
    .refine((u) => !CONTROL_CHARS.test(u), {
      error: "landing URL must not contain control characters (CR, LF, …)",
    }),
  /** publisher_id, optional */
  pub: z.string().min(1).max(128).optional(),
  /** expiry, unix seconds */
  exp: z.number().int().positive(),
});

export interface ClickTokenFields {
  campaignId: string;
  adId: string;
  partnerId: string;
  landingUrl: string;
  publisherId?: string;
  /** Expiry as unix seconds. */
  expiresAtSeconds: number;
}

export type ClickTokenCheck = { ok: true; token: ClickTokenFields } | { ok: false; reason: string };

/** Tokens are good for 90 days unless the caller picks another expiry. */
export const CLICK_TOKEN_DEFAULT_TTL_SECONDS = 90 * 24 * 3600;

function tokenKey(appSecret: string): Buffer {
  return createHmac("sha256", appSecret).update("adclick click-token v1").digest();
}

function mac(appSecret: string, payloadPart: string): Buffer {
  return createHmac("sha256", tokenKey(appSecret)).update(payloadPart).digest();
}

/** Mints a token; throws when a field is out of range (e.g. a non-http landing URL). */
export function signClickToken(appSecret: string, fields: ClickTokenFields): string {
  const payload = ClickTokenPayload.parse({
    c: fields.campaignId,
    a: fields.adId,
    p: fields.partnerId,
    u: normaliseLandingUrl(fields.landingUrl),
    ...(fields.publisherId ? { pub: fields.publisherId } : {}),
    exp: fields.expiresAtSeconds,
  });
  const payloadPart = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${payloadPart}.${mac(appSecret, payloadPart).toString("base64url")}`;
}

/** Verifies signature and expiry; never throws. */
export function verifyClickToken(
  appSecret: string,
  token: string,
  nowSeconds: number,
): ClickTokenCheck {
  if (token.length > 4096) return { ok: false, reason: "token too long" };
  const dot = token.indexOf(".");
  if (dot <= 0 || dot !== token.lastIndexOf(".")) return { ok: false, reason: "malformed token" };
  const payloadPart = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(appSecret, payloadPart);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad token signature" };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payloadPart, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed token" };
  }
  const parsed = ClickTokenPayload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "malformed token" };
  const p = parsed.data;
  if (p.exp < nowSeconds) return { ok: false, reason: "token expired" };
  return {
    ok: true,
    token: {
      campaignId: p.c,
      adId: p.a,
      partnerId: p.p,
      landingUrl: p.u,
      ...(p.pub ? { publisherId: p.pub } : {}),
      expiresAtSeconds: p.exp,
    },
  };
}
