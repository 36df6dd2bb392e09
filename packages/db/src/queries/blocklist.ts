import { asc, isNull } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { blocklist } from "../schema";

/** The kind and value of every entry in force (removed_at is null), in id order: what the fraud stage matches against. */
export async function readActiveBlocklist(
  db: DbOrTx,
): Promise<Array<{ kind: "ip" | "cidr" | "user_agent"; value: string }>> {
  return db
    .select({ kind: blocklist.kind, value: blocklist.value })
    .from(blocklist)
    .where(isNull(blocklist.removedAt))
    .orderBy(asc(blocklist.id));
}
