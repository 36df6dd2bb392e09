import type { DbOrTx } from "@adclick/db/client";
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionByHash,
  insertSession,
  touchSession,
} from "@adclick/db/queries";
import { webDb } from "../db";
import {
  hashSessionId,
  isSessionLive,
  needsTouch,
  newSessionId,
  readCookie,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
} from "./session-token";
import type { Session } from "./session-user";

/**
 * The session a cookie value names, or null (no cookie, unknown id, expired, or
 * the user was disabled). An expired session found here is deleted.
 */
export async function sessionFromCookie(
  db: DbOrTx,
  cookieValue: string | null,
  now: Date,
): Promise<Session | null> {
  if (!cookieValue) return null;
  const idHash = hashSessionId(cookieValue);
  const stored = await findSessionByHash(db, idHash);
  if (!stored) return null;
  if (!isSessionLive(stored, now)) {
    await deleteSession(db, idHash);
    return null;
  }
  if (needsTouch(stored, now)) await touchSession(db, idHash, now);
  return { user: stored.user };
}

/** Reads the session that the request's cookie carries (the one place that does). */
export async function readSession(headers: Headers): Promise<Session | null> {
  return sessionFromCookie(webDb().db, readCookie(headers, SESSION_COOKIE), new Date());
}

/**
 * Starts a session for a user who just signed in; the id goes in the cookie, its
 * hash in Postgres. Sessions that ended unseen (never presented again) are
 * swept on the way: sign-ins are rare enough to carry that.
 */
export async function startSession(
  db: DbOrTx,
  userId: number,
  now: Date,
): Promise<{ id: string; expiresAt: Date }> {
  const id = newSessionId();
  const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
  await deleteExpiredSessions(db, now, new Date(now.getTime() - SESSION_IDLE_MS));
  await insertSession(db, { idHash: hashSessionId(id), userId, now, expiresAt });
  return { id, expiresAt };
}

/** Signs out: the session's row is deleted, so the cookie is worthless even if kept. */
export async function endSession(db: DbOrTx, cookieValue: string | null): Promise<boolean> {
  if (!cookieValue) return false;
  return deleteSession(db, hashSessionId(cookieValue));
}
