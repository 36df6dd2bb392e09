import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { blocklist } from "../schema";
import { writeAudit } from "./audit";
import { inForce } from "./blocklist";

export type BlocklistEntry = typeof blocklist.$inferSelect;
export type BlocklistKind = BlocklistEntry["kind"];

/**
 * Adds an entry and its audit record in one transaction. Returns
 * `{ entry, created: false }` with the existing entry when the same kind and
 * value is already blocked.
 */
export async function addBlocklistEntry(
  db: DbOrTx,
  input: {
    kind: BlocklistKind;
    value: string;
    reason: string;
    actor: string;
    expiresAt?: Date | null;
  },
): Promise<{ entry: BlocklistEntry; created: boolean }> {
  return db.transaction(async (tx) => {
    // Serialise adds of the same value so two concurrent adds cannot both insert.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`blocklist:${input.kind}:${input.value}`}))`,
    );
    const [existing] = await tx
      .select()
      .from(blocklist)
      .where(and(eq(blocklist.kind, input.kind), eq(blocklist.value, input.value), inForce()));
    if (existing) return { entry: existing, created: false };
    const [entry] = await tx
      .insert(blocklist)
      .values({
        kind: input.kind,
        value: input.value,
        reason: input.reason,
        createdBy: input.actor,
        expiresAt: input.expiresAt ?? null,
      })
      .returning();
    await writeAudit(tx, {
      actor: input.actor,
      action: "blocklist.add",
      subject: `blocklist:${entry!.id}`,
      detail: {
        kind: input.kind,
        value: input.value,
        reason: input.reason,
        expiresAt: input.expiresAt?.toISOString() ?? null,
      },
    });
    return { entry: entry!, created: true };
  });
}

/** Marks an entry removed (kept for the audit trail); null when unknown or already removed. */
export async function removeBlocklistEntry(
  db: DbOrTx,
  input: { id: number; actor: string },
): Promise<BlocklistEntry | null> {
  return db.transaction(async (tx) => {
    const [entry] = await tx
      .update(blocklist)
      .set({ removedAt: new Date() })
      .where(and(eq(blocklist.id, input.id), isNull(blocklist.removedAt)))
      .returning();
    if (!entry) return null;
    await writeAudit(tx, {
      actor: input.actor,
      action: "blocklist.remove",
      subject: `blocklist:${entry.id}`,
      detail: { kind: entry.kind, value: entry.value },
    });
    return entry;
  });
}

/** Entries in force (not removed, not expired), oldest first. */
export async function listBlocklistEntries(db: DbOrTx): Promise<BlocklistEntry[]> {
  return db.select().from(blocklist).where(inForce()).orderBy(asc(blocklist.id));
}
