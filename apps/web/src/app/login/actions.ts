"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { afterSignInPath } from "../../server/auth/page-access";
import { endSession, startSession } from "../../server/auth/session";
import {
  isSecureRequest,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  sessionCookieOptions,
} from "../../server/auth/session-token";
import { landingPathFor } from "../../server/auth/session-user";
import { clientIp, databaseLimiter, databaseVerifier, signIn } from "../../server/auth/sign-in";
import { webDb } from "../../server/db";

export interface SignInState {
  error: string | null;
  /** Echoed back so the form keeps what was typed (also without JavaScript). */
  email: string;
}

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = form.get("email");
  const next = form.get("next");
  const requestHeaders = await headers();
  const { db } = webDb();
  const now = new Date();
  const result = await signIn({ email, password: form.get("password") }, databaseVerifier(db), {
    limiter: databaseLimiter(db),
    ip: clientIp(requestHeaders),
    now,
  });
  if (!result.ok) {
    return { error: result.error, email: typeof email === "string" ? email : "" };
  }
  const session = await startSession(db, result.user.id, now);
  (await cookies()).set(
    SESSION_COOKIE,
    session.id,
    sessionCookieOptions(isSecureRequest(requestHeaders), SESSION_ABSOLUTE_MS),
  );
  const requested = typeof next === "string" ? next : null;
  redirect(afterSignInPath(result.user.role, requested, landingPathFor(result.user.role)));
}

/** Deletes the session's row and the cookie, then shows the sign-in page. */
export async function signOutAction(): Promise<void> {
  const jar = await cookies();
  await endSession(webDb().db, jar.get(SESSION_COOKIE)?.value ?? null);
  jar.set(SESSION_COOKIE, "", sessionCookieOptions(isSecureRequest(await headers()), 0));
  redirect("/login");
}
