import { and, count, eq, gt, isNull, lt, min, or } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { sessions, signInFailures, users } from "../schema";
import type { AuthenticatedUser } from "./users";

/** Stores a new session under the hash of its cookie id. */
export async function insertSession(
  db: DbOrTx,
  input: { idHash: string; userId: number; now: Date; expiresAt: Date },
): Promise<void> {
  await db.insert(sessions).values({
    idHash: input.idHash,
    userId: input.userId,
    createdAt: input.now,
    lastSeenAt: input.now,
    expiresAt: input.expiresAt,
  });
}

export interface StoredSession {
  idHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  user: AuthenticatedUser;
}

/** The session with this id hash and its (enabled) user, or null. Expiry is the caller's rule. */
export async function findSessionByHash(db: DbOrTx, idHash: string): Promise<StoredSession | null> {
  const [row] = await db
    .select({
      idHash: sessions.idHash,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      user: {
        id: users.id,
        email: users.email,
        role: users.role,
        advertiserId: users.advertiserId,
      },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.idHash, idHash), isNull(users.disabledAt)));
  return row ?? null;
}

export async function touchSession(db: DbOrTx, idHash: string, now: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
}

/** Deletes one session (sign-out, or an expired one found on the way); true when it existed. */
export async function deleteSession(db: DbOrTx, idHash: string): Promise<boolean> {
  const rows = await db
    .delete(sessions)
    .where(eq(sessions.idHash, idHash))
    .returning({ idHash: sessions.idHash });
  return rows.length > 0;
}

/** Removes sessions past their absolute end or idle since before `idleCutoff`. */
export async function deleteExpiredSessions(
  db: DbOrTx,
  now: Date,
  idleCutoff: Date,
): Promise<number> {
  const rows = await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleCutoff)))
    .returning({ idHash: sessions.idHash });
  return rows.length;
}

export interface FailureCount {
  count: number;
  /** The oldest failure still inside the window (when the count next drops), or null. */
  oldestAt: Date | null;
}

/** Failed sign-ins since `since` for one account and for one IP. */
export async function countSignInFailures(
  db: DbOrTx,
  input: { account: string; ip: string; since: Date },
): Promise<{ account: FailureCount; ip: FailureCount }> {
  const countFor = async (
    column: typeof signInFailures.account | typeof signInFailures.ip,
    value: string,
  ) => {
    const [row] = await db
      .select({ count: count(), oldestAt: min(signInFailures.at) })
      .from(signInFailures)
      .where(and(eq(column, value), gt(signInFailures.at, input.since)));
    return { count: row?.count ?? 0, oldestAt: row?.oldestAt ?? null };
  };
  const [account, ip] = await Promise.all([
    countFor(signInFailures.account, input.account),
    countFor(signInFailures.ip, input.ip),
  ]);
  return { account, ip };
}

export async function recordSignInFailure(
  db: DbOrTx,
  input: { account: string; ip: string; at: Date },
): Promise<number> {
  const [row] = await db.insert(signInFailures).values(input).returning({ id: signInFailures.id });
  return row!.id;
}

/** Forgets one recorded failure (an attempt that turned out right) and the account's earlier ones. */
export async function clearSignInFailures(db: DbOrTx, account: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.account, account));
}

/** Drops failures older than any window looks at. */
export async function pruneSignInFailures(db: DbOrTx, before: Date): Promise<void> {
  await db.delete(signInFailures).where(lt(signInFailures.at, before));
}
