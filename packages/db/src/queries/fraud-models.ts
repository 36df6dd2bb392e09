import { desc, eq, lte } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { fraudModelActivations, fraudModels } from "../schema";

export interface StoredModel {
  version: number;
  kind: string;
  params: Record<string, unknown>;
  quality: Record<string, unknown>;
  training: Record<string, unknown>;
  trainedAt: Date;
}

export interface NewModel {
  kind: string;
  params: Record<string, unknown>;
  quality: Record<string, unknown>;
  training?: Record<string, unknown>;
}

/** Stores a trained model (not active yet) and returns its version. */
export async function insertFraudModel(db: DbOrTx, model: NewModel): Promise<number> {
  const [row] = await db
    .insert(fraudModels)
    .values({ ...model, training: model.training ?? {} })
    .returning({ version: fraudModels.version });
  return row!.version;
}

export async function getFraudModel(db: DbOrTx, version: number): Promise<StoredModel | null> {
  const [row] = await db.select().from(fraudModels).where(eq(fraudModels.version, version));
  return row ?? null;
}

/** Makes `version` the active model; refuses an unknown version. */
export async function activateFraudModel(
  db: DbOrTx,
  version: number,
  activatedBy = "cli",
  at: Date = new Date(),
): Promise<void> {
  if (!(await getFraudModel(db, version))) throw new Error(`there is no model version ${version}`);
  await db.insert(fraudModelActivations).values({ version, activatedBy, activatedAt: at });
}

/**
 * The model active at `at` (now by default): the latest activation before it,
 * or null when none was ever activated.
 */
export async function activeFraudModel(
  db: DbOrTx,
  at: Date = new Date(),
): Promise<(StoredModel & { activatedAt: Date }) | null> {
  const [row] = await db
    .select({
      version: fraudModelActivations.version,
      activatedAt: fraudModelActivations.activatedAt,
    })
    .from(fraudModelActivations)
    .where(lte(fraudModelActivations.activatedAt, at))
    .orderBy(desc(fraudModelActivations.activatedAt), desc(fraudModelActivations.id))
    .limit(1);
  if (!row) return null;
  const model = await getFraudModel(db, row.version);
  return model ? { ...model, activatedAt: row.activatedAt } : null;
}

/** Models, newest first, with when each was last activated. */
export async function listFraudModels(db: DbOrTx): Promise<StoredModel[]> {
  return db.select().from(fraudModels).orderBy(desc(fraudModels.version));
}
