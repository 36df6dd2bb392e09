/**
 * Optional per-partner request signing for `POST /v1/clicks`, the scheme payment
 * webhooks use: the partner sends
 *
 *   X-Adclick-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The signature covers the timestamp and the exact bytes of the body. The server
 * accepts it when the timestamp is within the tolerance (300 s) of its clock and
 * the HMAC matches any of the partner's active secrets (two during a rotation),
 * compared in constant time. Several `v1=` entries may be sent (one per secret).
 *
 * Secrets are stored encrypted (AES-256-GCM under a key derived from APP_SECRET),
 * because verifying an HMAC needs the secret itself.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

export const SIGNATURE_HEADER = "x-adclick-signature";
export const SIGNATURE_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = "whsec_";

/** A new signing secret to show the partner once: `whsec_` + 32 random bytes, base64url. */
export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
}

function hmacHex(secret: string, timestampSeconds: number, body: Uint8Array | string): string {
  const mac = createHmac("sha256", secret);
  mac.update(`${timestampSeconds}.`);
  mac.update(body);
  return mac.digest("hex");
}

/** The header value a partner sends for `body` at `timestampSeconds`; one `v1=` per secret. */
export function signRequest(
  secrets: string | readonly string[],
  body: Uint8Array | string,
  timestampSeconds: number,
): string {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  return [
    `t=${timestampSeconds}`,
    ...list.map((s) => `v1=${hmacHex(s, timestampSeconds, body)}`),
  ].join(",");
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface VerifyRequestInput {
  /** The X-Adclick-Signature header, or undefined when absent. */
  header: string | undefined;
  /** The raw request body, exactly as received. */
  body: Uint8Array | string;
  /** The partner's active secrets (at most two during a rotation). */
  secrets: readonly string[];
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** Checks a request signature; the reason is safe to show the partner. */
export function verifyRequestSignature(input: VerifyRequestInput): SignatureCheck {
  const tolerance = input.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  if (!input.header)
    return {
      ok: false,
      reason: `missing ${SIGNATURE_HEADER} header (t=<unix seconds>,v1=<hex hmac>)`,
    };
  if (input.secrets.length === 0)
    return { ok: false, reason: "request signing is not set up for this partner" };
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of input.header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === "v1" && /^[0-9a-fA-F]{64}$/.test(value))
      signatures.push(Buffer.from(value, "hex"));
  }
  if (timestamp === null)
    return { ok: false, reason: `${SIGNATURE_HEADER}: expected t=<unix seconds>` };
  if (signatures.length === 0)
    return { ok: false, reason: `${SIGNATURE_HEADER}: expected v1=<64 hex characters>` };
  if (Math.abs(input.nowSeconds - timestamp) > tolerance) {
    return {
      ok: false,
      reason: `${SIGNATURE_HEADER}: timestamp is more than ${tolerance} s from the server clock`,
    };
  }
  let matched = false;
  for (const secret of input.secrets) {
    const expected = Buffer.from(hmacHex(secret, timestamp, input.body), "hex");
    for (const candidate of signatures) {
      // Every comparison runs, so timing reveals nothing about which one matched.
      if (timingSafeEqual(expected, candidate)) matched = true;
    }
  }
  return matched
    ? { ok: true }
    : { ok: false, reason: `${SIGNATURE_HEADER}: signature does not match the body` };
}

function sealKey(appSecret: string): Buffer {
  return createHash("sha256")
    .update("adclick partner-signing-secret v1\0")
    .update(appSecret)
    .digest();
}

/** Encrypts a signing secret for storage: `v1.<iv>.<tag>.<ciphertext>`, base64url parts. */
export function sealSigningSecret(appSecret: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealKey(appSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ciphertext.toString("base64url"),
  ].join(".");
}

/** Decrypts a stored signing secret; throws when it was sealed under another APP_SECRET or altered. */
export function openSigningSecret(appSecret: string, sealed: string): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ciphertext === undefined)
    throw new Error("sealed signing secret: unknown format");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    sealKey(appSecret),
    Buffer.from(iv, "base64url"),
  );
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}
