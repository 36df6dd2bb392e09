import "server-only";

import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { canOpen } from "./page-access";
import { readSession } from "./session";
import type { Session } from "./session-user";

/** The current request's session, read once per request however many components ask. */
export const currentSession = cache(async (): Promise<Session | null> => {
  return readSession(new Headers(await headers()));
});

/**
 * For a page's server component: the session of a user who may open `pathname`.
 * Not signed in → /login (coming back here afterwards); signed in with a role
 * that may not open it → 404, so the page's existence is not confirmed.
 */
export async function requirePage(pathname: string): Promise<Session> {
  const session = await currentSession();
  if (!session) redirect(`/login?next=${encodeURIComponent(pathname)}`);
  if (!canOpen(session.user.role, pathname)) notFound();
  return session;
}
