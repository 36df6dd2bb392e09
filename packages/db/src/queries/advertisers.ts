import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { advertisers } from "../schema";

export type Advertiser = typeof advertisers.$inferSelect;

/** Inserts an advertiser; returns null when the id is already taken. */
export async function createAdvertiser(
  db: DbOrTx,
  input: { id: string; name: string },
): Promise<Advertiser | null> {
  const [row] = await db.insert(advertisers).values(input).onConflictDoNothing().returning();
  return row ?? null;
}

export async function getAdvertiser(db: DbOrTx, id: string): Promise<Advertiser | null> {
  const [row] = await db.select().from(advertisers).where(eq(advertisers.id, id));
  return row ?? null;
}

export async function listAdvertisers(db: DbOrTx): Promise<Advertiser[]> {
  return db.select().from(advertisers).orderBy(asc(advertisers.id));
}
