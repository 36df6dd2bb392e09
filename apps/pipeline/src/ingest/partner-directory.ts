import type { DbOrTx } from "@adclick/db/client";
import { findPartnerByKeyHash, hashApiKey } from "@adclick/db/queries";
import { openSigningSecret } from "@adclick/shared/request-signing";
import { LookupCache } from "./lookup-cache";

export interface AuthenticatedPartner {
  partnerId: string;
  rateLimitPerSec: number;
  requireSignature: boolean;
  /** Decrypted active signing secrets (at most two during a rotation). */
  signingSecrets: string[];
}

const API_KEY_SHAPE = /^ak_[A-Za-z0-9_-]{20,100}$/;

/**
 * API key -> partner, cached in memory for `ttlMs` (positive and negative), so
 * a revoked key stops working within that time on every replica.
 */
export class PartnerDirectory {
  private readonly cache: LookupCache<AuthenticatedPartner | null>;

  constructor(db: DbOrTx, appSecret: string, ttlMs: number) {
    this.cache = new LookupCache<AuthenticatedPartner | null>(
      ttlMs,
      50_000,
      async ([keyHash]) => {
        const found = await findPartnerByKeyHash(db, keyHash!);
        const result = new Map<string, AuthenticatedPartner | null>();
        if (found) {
          result.set(keyHash!, {
            partnerId: found.partnerId,
            rateLimitPerSec: found.rateLimitPerSec,
            requireSignature: found.requireSignature,
            signingSecrets: found.sealedSigningSecrets.flatMap((sealed) => {
              try {
                return [openSigningSecret(appSecret, sealed)];
              } catch {
                return [];
              }
            }),
          });
        }
        return result;
      },
      null,
    );
  }

  /** SHA-256 per request is measurable with single-event requests; a partner sends one key over and over. */
  private readonly hashes = new Map<string, string>();

  async authenticate(apiKey: string): Promise<AuthenticatedPartner | null> {
    if (!API_KEY_SHAPE.test(apiKey)) return null;
    let keyHash = this.hashes.get(apiKey);
    if (keyHash === undefined) {
      keyHash = hashApiKey(apiKey);
      if (this.hashes.size >= 10_000) this.hashes.clear();
      this.hashes.set(apiKey, keyHash);
    }
    return this.cache.get(keyHash);
  }
}
