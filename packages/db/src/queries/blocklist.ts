import { and, asc, gt, isNull, or } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { blocklist } from "../schema";

/** The kind and value of every entry in force (not removed, not expired), in id order: what the fraud stage matches against. */
export async function readActiveBlocklist(
  db: DbOrTx,
): Promise<Array<{ kind: "ip" | "cidr" | "user_agent"; value: string }>> {
  return db
    .select({ kind: blocklist.kind, value: blocklist.value })
    .from(blocklist)
    .where(inForce())
    .orderBy(asc(blocklist.id));
}

/** An entry applies until it is removed or its expiry passes. */
export function inForce() {
  return and(
    isNull(blocklist.removedAt),
    or(isNull(blocklist.expiresAt), gt(blocklist.expiresAt, new Date())),
  );
}
