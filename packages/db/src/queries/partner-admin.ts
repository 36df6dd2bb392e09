/**
 * What the admins' partner screen needs beyond the key and secret primitives of
 * partners.ts: the partner list with its keys (never their hashes), rotation
 * that keeps two live keys, revoking one key by id, and the signing switch.
 */
import { and, asc, desc, eq, inArray, isNull, ne } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { partnerApiKeys, partnerSigningSecrets, partners } from "../schema";
import { createPartnerApiKey } from "./partners";

export interface PartnerKeySummary {
  id: number;
  /** The key's first characters, as the ingest logs it. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface PartnerSummary {
  id: string;
  name: string;
  rateLimitPerSec: number;
  requireSignature: boolean;
  createdAt: Date;
  revokedAt: Date | null;
  keys: PartnerKeySummary[];
  /** Signing secrets not retired (two during a rotation). */
  activeSigningSecrets: number;
}

/** Every partner, oldest first, each with its keys newest first. */
export async function listPartnerSummaries(db: DbOrTx): Promise<PartnerSummary[]> {
  const rows = await db.select().from(partners).orderBy(asc(partners.createdAt), asc(partners.id));
  if (rows.length === 0) return [];
  const ids = rows.map((p) => p.id);
  const keys = await db
    .select({
      id: partnerApiKeys.id,
      partnerId: partnerApiKeys.partnerId,
      prefix: partnerApiKeys.keyPrefix,
      createdAt: partnerApiKeys.createdAt,
      revokedAt: partnerApiKeys.revokedAt,
    })
    .from(partnerApiKeys)
    .where(inArray(partnerApiKeys.partnerId, ids))
    .orderBy(desc(partnerApiKeys.createdAt), desc(partnerApiKeys.id));
  const secrets = await db
    .select({ partnerId: partnerSigningSecrets.partnerId })
    .from(partnerSigningSecrets)
    .where(
      and(inArray(partnerSigningSecrets.partnerId, ids), isNull(partnerSigningSecrets.retiredAt)),
    );
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    rateLimitPerSec: p.rateLimitPerSec,
    requireSignature: p.requireSignature,
    createdAt: p.createdAt,
    revokedAt: p.revokedAt,
    keys: keys.filter((k) => k.partnerId === p.id).map(({ partnerId: _, ...k }) => k),
    activeSigningSecrets: secrets.filter((s) => s.partnerId === p.id).length,
  }));
}

/**
 * Starts a key rotation: issues a new key and revokes every live key but the
 * newest previous one, so two keys work while the partner switches over.
 * Returns the new key (shown once) and the ids of keys it revoked.
 */
export async function rotatePartnerApiKey(
  db: DbOrTx,
  partnerId: string,
): Promise<{ apiKey: string; revokedKeyIds: number[] }> {
  return db.transaction(async (tx) => {
    const live = await tx
      .select({ id: partnerApiKeys.id })
      .from(partnerApiKeys)
      .where(and(eq(partnerApiKeys.partnerId, partnerId), isNull(partnerApiKeys.revokedAt)))
      .orderBy(desc(partnerApiKeys.createdAt), desc(partnerApiKeys.id));
    const apiKey = await createPartnerApiKey(tx, partnerId);
    const older = live.slice(1).map((k) => k.id);
    if (older.length)
      await tx
        .update(partnerApiKeys)
        .set({ revokedAt: new Date() })
        .where(inArray(partnerApiKeys.id, older));
    return { apiKey, revokedKeyIds: older };
  });
}

/** Revokes one live key of a partner; false when it is not that partner's or already revoked. */
export async function revokePartnerApiKey(
  db: DbOrTx,
  partnerId: string,
  keyId: number,
): Promise<boolean> {
  const rows = await db
    .update(partnerApiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(partnerApiKeys.id, keyId),
        eq(partnerApiKeys.partnerId, partnerId),
        isNull(partnerApiKeys.revokedAt),
      ),
    )
    .returning({ id: partnerApiKeys.id });
  return rows.length > 0;
}

/** Turns required request signatures on or off; refuses "on" without an active secret. */
export async function setPartnerRequireSignature(
  db: DbOrTx,
  partnerId: string,
  require: boolean,
): Promise<"updated" | "not-found" | "no-secret"> {
  if (require) {
    const [secret] = await db
      .select({ id: partnerSigningSecrets.id })
      .from(partnerSigningSecrets)
      .where(
        and(
          eq(partnerSigningSecrets.partnerId, partnerId),
          isNull(partnerSigningSecrets.retiredAt),
        ),
      )
      .limit(1);
    if (!secret) {
      const [exists] = await db
        .select({ id: partners.id })
        .from(partners)
        .where(eq(partners.id, partnerId));
      return exists ? "no-secret" : "not-found";
    }
  }
  const rows = await db
    .update(partners)
    .set({ requireSignature: require })
    .where(and(eq(partners.id, partnerId), ne(partners.requireSignature, require)))
    .returning({ id: partners.id });
  if (rows.length) return "updated";
  const [exists] = await db
    .select({ id: partners.id })
    .from(partners)
    .where(eq(partners.id, partnerId));
  return exists ? "updated" : "not-found";
}
