import { and, asc, eq, ne } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { campaigns } from "../schema";
import { writeAudit } from "./audit";

export type CampaignRow = typeof campaigns.$inferSelect;
export type CampaignStatus = CampaignRow["status"];

export interface NewCampaign {
  id: string;
  advertiserId: string;
  name: string;
  cpcMicros: number;
  landingUrl: string;
}

/**
 * Inserts a campaign (status `active`); returns null when the id is already
 * taken. The advertiser must exist (the foreign key enforces it).
 */
export async function createCampaign(db: DbOrTx, input: NewCampaign): Promise<CampaignRow | null> {
  const [row] = await db.insert(campaigns).values(input).onConflictDoNothing().returning();
  return row ?? null;
}

const STATUS_ACTION: Record<CampaignStatus, string> = {
  active: "campaign.resume",
  paused: "campaign.pause",
  ended: "campaign.end",
};

/**
 * Moves a campaign to `status` and records it in the audit trail. Returns the
 * campaign, `unchanged` when it already had that status, or null when unknown.
 */
export async function setCampaignStatus(
  db: DbOrTx,
  input: { id: string; status: CampaignStatus; actor: string },
): Promise<{ campaign: CampaignRow; changed: boolean } | null> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(campaigns)
      .set({ status: input.status, updatedAt: new Date() })
      .where(and(eq(campaigns.id, input.id), ne(campaigns.status, input.status)))
      .returning();
    if (updated) {
      await writeAudit(tx, {
        actor: input.actor,
        action: STATUS_ACTION[input.status],
        subject: `campaign:${input.id}`,
        detail: { status: input.status },
      });
      return { campaign: updated, changed: true };
    }
    const [existing] = await tx.select().from(campaigns).where(eq(campaigns.id, input.id));
    return existing ? { campaign: existing, changed: false } : null;
  });
}

/** One advertiser's campaigns, by id. */
export async function listCampaignsOfAdvertiser(
  db: DbOrTx,
  advertiserId: string,
): Promise<CampaignRow[]> {
  return db
    .select()
    .from(campaigns)
    .where(eq(campaigns.advertiserId, advertiserId))
    .orderBy(asc(campaigns.id));
}

/** Every campaign's id, for staff views that read all campaigns' counters. */
export async function listCampaignIds(db: DbOrTx): Promise<string[]> {
  const rows = await db.select({ id: campaigns.id }).from(campaigns).orderBy(campaigns.id);
  return rows.map((r) => r.id);
}
