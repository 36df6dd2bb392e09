import type { Session } from "./session-user";

/**
 * Reads the session that the request carries.
 *
 * There is no sign-in mechanism yet (sessions arrive with authentication against
 * the users table), so no request carries a session and every visitor is
 * anonymous. This is the one place that will read the session cookie.
 */
export async function readSession(_headers: Headers): Promise<Session | null> {
  return null;
}
