import type { DbOrTx } from "@adclick/db/client";
import { type CampaignPricing, getCampaignPricingByIds } from "@adclick/db/queries";
import { LookupCache } from "./lookup-cache";

/** Campaign id -> price, advertiser and status, cached for `ttlMs`; misses of one request load in one query. */
export class CampaignDirectory {
  private readonly cache: LookupCache<CampaignPricing | null>;

  constructor(db: DbOrTx, ttlMs: number) {
    this.cache = new LookupCache<CampaignPricing | null>(
      ttlMs,
      100_000,
      async (ids) => new Map((await getCampaignPricingByIds(db, ids)).map((c) => [c.id, c])),
      null,
    );
  }

  lookup(ids: readonly string[]): Promise<Map<string, CampaignPricing | null>> {
    return this.cache.getMany(ids);
  }
}
