import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { advertisers, advertiserTokens } from "../schema";

const TOKEN_PREFIX = "adk_";

/** SHA-256 hex of a token: the only form in which tokens are stored. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Creates a reporting-API token (C10) for an advertiser. The token itself is
 * returned once and never stored; its first characters identify it in lists.
 */
export async function createAdvertiserToken(
  db: DbOrTx,
  advertiserId: string,
): Promise<{ id: number; token: string; tokenPrefix: string }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const tokenPrefix = token.slice(0, TOKEN_PREFIX.length + 6);
  const [row] = await db
    .insert(advertiserTokens)
    .values({ advertiserId, tokenPrefix, tokenHash: hashToken(token) })
    .returning({ id: advertiserTokens.id });
  return { id: row!.id, token, tokenPrefix };
}

/** The advertiser a bearer token belongs to, or null for an unknown or revoked token. */
export async function findAdvertiserByToken(
  db: DbOrTx,
  token: string,
): Promise<{ advertiserId: string; advertiserName: string; tokenId: number } | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({
      advertiserId: advertisers.id,
      advertiserName: advertisers.name,
      tokenId: advertiserTokens.id,
    })
    .from(advertiserTokens)
    .innerJoin(advertisers, eq(advertisers.id, advertiserTokens.advertiserId))
    .where(
      and(eq(advertiserTokens.tokenHash, hashToken(token)), isNull(advertiserTokens.revokedAt)),
    );
  return row ?? null;
}

/** Revokes a token by id; false when unknown or already revoked. */
export async function revokeAdvertiserToken(db: DbOrTx, tokenId: number): Promise<boolean> {
  const rows = await db
    .update(advertiserTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(advertiserTokens.id, tokenId), isNull(advertiserTokens.revokedAt)))
    .returning({ id: advertiserTokens.id });
  return rows.length > 0;
}

/** Revokes one of an advertiser's tokens; false when it is not that advertiser's, or already revoked. */
export async function revokeAdvertiserTokenOf(
  db: DbOrTx,
  advertiserId: string,
  tokenId: number,
): Promise<boolean> {
  const rows = await db
    .update(advertiserTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(advertiserTokens.id, tokenId),
        eq(advertiserTokens.advertiserId, advertiserId),
        isNull(advertiserTokens.revokedAt),
      ),
    )
    .returning({ id: advertiserTokens.id });
  return rows.length > 0;
}
