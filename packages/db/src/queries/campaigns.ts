import { eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { campaigns } from "../schema";

/** What the ingest needs to price and route a click (creating and pausing campaigns lives in campaigns-admin.ts). */
export interface CampaignPricing {
  id: string;
  advertiserId: string;
  cpcMicros: number;
  status: (typeof campaigns.$inferSelect)["status"];
  landingUrl: string;
}

const pricingColumns = {
  id: campaigns.id,
  advertiserId: campaigns.advertiserId,
  cpcMicros: campaigns.cpcMicros,
  status: campaigns.status,
  landingUrl: campaigns.landingUrl,
};

export async function getCampaignPricing(db: DbOrTx, id: string): Promise<CampaignPricing | null> {
  const [row] = await db.select(pricingColumns).from(campaigns).where(eq(campaigns.id, id));
  return row ?? null;
}

/** Campaigns by id in one query (the ingest's cache misses); unknown ids are simply absent. */
export async function getCampaignPricingByIds(
  db: DbOrTx,
  ids: readonly string[],
): Promise<CampaignPricing[]> {
  if (ids.length === 0) return [];
  return db
    .select(pricingColumns)
    .from(campaigns)
    .where(inArray(campaigns.id, [...ids]));
}

/** Every active campaign with its price (the simulator's default campaign set). */
export async function listActiveCampaignPricing(db: DbOrTx): Promise<CampaignPricing[]> {
  return db
    .select(pricingColumns)
    .from(campaigns)
    .where(eq(campaigns.status, "active"))
    .orderBy(campaigns.id);
}
