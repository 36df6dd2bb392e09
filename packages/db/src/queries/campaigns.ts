import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { campaigns } from "../schema";
import type { AdvertiserScope } from "../scope";

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

/** What an advertiser sees of its own campaign. */
export interface AdvertiserCampaign {
  id: string;
  name: string;
  status: (typeof campaigns.$inferSelect)["status"];
  cpcMicros: number;
}

const advertiserColumns = {
  id: campaigns.id,
  name: campaigns.name,
  status: campaigns.status,
  cpcMicros: campaigns.cpcMicros,
};

/** The scope's campaigns, by id. */
export async function listCampaigns(
  db: DbOrTx,
  scope: AdvertiserScope,
): Promise<AdvertiserCampaign[]> {
  return db
    .select(advertiserColumns)
    .from(campaigns)
    .where(eq(campaigns.advertiserId, scope.advertiserId))
    .orderBy(asc(campaigns.id));
}

/** One of the scope's campaigns; null for an unknown id or another advertiser's campaign. */
export async function getCampaign(
  db: DbOrTx,
  scope: AdvertiserScope,
  id: string,
): Promise<AdvertiserCampaign | null> {
  const [row] = await db
    .select(advertiserColumns)
    .from(campaigns)
    .where(and(eq(campaigns.id, id), eq(campaigns.advertiserId, scope.advertiserId)));
  return row ?? null;
}
