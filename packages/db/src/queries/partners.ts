import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { partnerApiKeys, partnerSigningSecrets, partners } from "../schema";

/** API keys look like `ak_<43 base64url chars>`; the first 11 characters identify a key in logs. */
const KEY_PREFIX_LENGTH = 11;

export function generateApiKey(): string {
  return `ak_${randomBytes(32).toString("base64url")}`;
}

/** SHA-256 hex of the key: keys are 256-bit random, so a plain hash is enough (no slow KDF needed). */
export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex");
}

export function apiKeyPrefix(apiKey: string): string {
  return apiKey.slice(0, KEY_PREFIX_LENGTH);
}

export interface NewPartner {
  id?: string;
  name: string;
  rateLimitPerSec?: number;
  requireSignature?: boolean;
}

export type Partner = typeof partners.$inferSelect;

/** Creates a partner and its first API key; the key is returned once and only its hash is stored. */
export async function createPartner(
  db: DbOrTx,
  input: NewPartner,
): Promise<{ partner: Partner; apiKey: string }> {
  const id = input.id ?? `p_${randomBytes(6).toString("hex")}`;
  return db.transaction(async (tx) => {
    const [partner] = await tx
      .insert(partners)
      .values({
        id,
        name: input.name,
        ...(input.rateLimitPerSec !== undefined ? { rateLimitPerSec: input.rateLimitPerSec } : {}),
        ...(input.requireSignature !== undefined
          ? { requireSignature: input.requireSignature }
          : {}),
      })
      .returning();
    const apiKey = await insertApiKey(tx, id);
    return { partner: partner!, apiKey };
  });
}

async function insertApiKey(db: DbOrTx, partnerId: string): Promise<string> {
  const apiKey = generateApiKey();
  await db
    .insert(partnerApiKeys)
    .values({ partnerId, keyPrefix: apiKeyPrefix(apiKey), keyHash: hashApiKey(apiKey) });
  return apiKey;
}

/** Adds another API key to an active partner (key rotation); throws when the partner is unknown or revoked. */
export async function createPartnerApiKey(db: DbOrTx, partnerId: string): Promise<string> {
  const partner = await getPartner(db, partnerId);
  if (!partner) throw new Error(`partner ${partnerId} not found`);
  if (partner.revokedAt) throw new Error(`partner ${partnerId} is revoked`);
  return insertApiKey(db, partnerId);
}

export async function getPartner(db: DbOrTx, partnerId: string): Promise<Partner | null> {
  const [row] = await db.select().from(partners).where(eq(partners.id, partnerId));
  return row ?? null;
}

export async function listPartners(db: DbOrTx): Promise<Partner[]> {
  return db.select().from(partners).orderBy(partners.createdAt);
}

/** Revokes a partner and every key it holds. Returns false when the partner does not exist. */
export async function revokePartner(db: DbOrTx, partnerId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const now = new Date();
    const updated = await tx
      .update(partners)
      .set({ revokedAt: now })
      .where(eq(partners.id, partnerId))
      .returning({ id: partners.id });
    if (updated.length === 0) return false;
    await tx
      .update(partnerApiKeys)
      .set({ revokedAt: now })
      .where(and(eq(partnerApiKeys.partnerId, partnerId), isNull(partnerApiKeys.revokedAt)));
    return true;
  });
}

/** Revokes one API key by its hash (e.g. after a leak), leaving the partner's other keys working. */
export async function revokeApiKey(db: DbOrTx, keyHash: string): Promise<boolean> {
  const rows = await db
    .update(partnerApiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(partnerApiKeys.keyHash, keyHash), isNull(partnerApiKeys.revokedAt)))
    .returning({ id: partnerApiKeys.id });
  return rows.length > 0;
}

export interface PartnerAuth {
  partnerId: string;
  name: string;
  rateLimitPerSec: number;
  requireSignature: boolean;
  /** Sealed (encrypted) signing secrets that are not retired, newest first. */
  sealedSigningSecrets: string[];
}

/** The partner an API key belongs to, or null when the key is unknown or it or its partner is revoked. */
export async function findPartnerByKeyHash(
  db: DbOrTx,
  keyHash: string,
): Promise<PartnerAuth | null> {
  const [row] = await db
    .select({
      partnerId: partners.id,
      name: partners.name,
      rateLimitPerSec: partners.rateLimitPerSec,
      requireSignature: partners.requireSignature,
      partnerRevokedAt: partners.revokedAt,
      keyRevokedAt: partnerApiKeys.revokedAt,
    })
    .from(partnerApiKeys)
    .innerJoin(partners, eq(partners.id, partnerApiKeys.partnerId))
    .where(eq(partnerApiKeys.keyHash, keyHash));
  if (!row || row.partnerRevokedAt || row.keyRevokedAt) return null;
  const secrets = await listSealedSigningSecrets(db, row.partnerId);
  return {
    partnerId: row.partnerId,
    name: row.name,
    rateLimitPerSec: row.rateLimitPerSec,
    requireSignature: row.requireSignature,
    sealedSigningSecrets: secrets,
  };
}

export async function listSealedSigningSecrets(db: DbOrTx, partnerId: string): Promise<string[]> {
  const rows = await db
    .select({ sealed: partnerSigningSecrets.secretEncrypted })
    .from(partnerSigningSecrets)
    .where(
      and(eq(partnerSigningSecrets.partnerId, partnerId), isNull(partnerSigningSecrets.retiredAt)),
    )
    .orderBy(desc(partnerSigningSecrets.createdAt), desc(partnerSigningSecrets.id));
  return rows.map((r) => r.sealed);
}

/**
 * Adds a signing secret (already sealed by the caller) and retires all but the
 * newest previous one, so at most two are active during a rotation. Optionally
 * turns on `require_signature` for the partner.
 */
export async function addSigningSecret(
  db: DbOrTx,
  partnerId: string,
  sealedSecret: string,
  options: { require?: boolean } = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    const active = await tx
      .select({ id: partnerSigningSecrets.id })
      .from(partnerSigningSecrets)
      .where(
        and(
          eq(partnerSigningSecrets.partnerId, partnerId),
          isNull(partnerSigningSecrets.retiredAt),
        ),
      )
      .orderBy(desc(partnerSigningSecrets.createdAt), desc(partnerSigningSecrets.id));
    for (const old of active.slice(1)) {
      await tx
        .update(partnerSigningSecrets)
        .set({ retiredAt: new Date() })
        .where(eq(partnerSigningSecrets.id, old.id));
    }
    await tx.insert(partnerSigningSecrets).values({ partnerId, secretEncrypted: sealedSecret });
    if (options.require !== undefined)
      await tx
        .update(partners)
        .set({ requireSignature: options.require })
        .where(eq(partners.id, partnerId));
  });
}

/** Retires every signing secret except the newest (ends a rotation). */
export async function retireOldSigningSecrets(db: DbOrTx, partnerId: string): Promise<number> {
  const active = await db
    .select({ id: partnerSigningSecrets.id })
    .from(partnerSigningSecrets)
    .where(
      and(eq(partnerSigningSecrets.partnerId, partnerId), isNull(partnerSigningSecrets.retiredAt)),
    )
    .orderBy(desc(partnerSigningSecrets.createdAt), desc(partnerSigningSecrets.id));
  for (const old of active.slice(1)) {
    await db
      .update(partnerSigningSecrets)
      .set({ retiredAt: new Date() })
      .where(eq(partnerSigningSecrets.id, old.id));
  }
  return Math.max(0, active.length - 1);
}

export async function setPartnerRateLimit(
  db: DbOrTx,
  partnerId: string,
  rateLimitPerSec: number,
): Promise<boolean> {
  const rows = await db
    .update(partners)
    .set({ rateLimitPerSec })
    .where(eq(partners.id, partnerId))
    .returning({ id: partners.id });
  return rows.length > 0;
}
