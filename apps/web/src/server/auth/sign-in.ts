import { z } from "zod";
import type { SessionUser } from "./session-user";

/** Checks an email and password against the user store; null when they do not match a user. */
export type VerifyUser = (email: string, password: string) => Promise<SessionUser | null>;

/**
 * The user store the sign-in form checks. No store is connected yet (users in
 * Postgres come with the authentication issue), so no email and password match.
 */
export const verifyUser: VerifyUser = async () => null;

export const SignInInput = z.object({
  email: z.string().trim().min(1, { error: "Enter your email address" }),
  password: z.string().min(1, { error: "Enter your password" }),
});
export type SignInInput = z.infer<typeof SignInInput>;

export const INVALID_CREDENTIALS = "Invalid email or password";

export type SignInResult = { ok: true; user: SessionUser } | { ok: false; error: string };

/**
 * Validates the form fields and asks `verify` for the user. Wrong email and
 * wrong password give the same answer, so the form does not reveal which
 * accounts exist.
 */
export async function signIn(fields: unknown, verify: VerifyUser): Promise<SignInResult> {
  const parsed = SignInInput.safeParse(fields);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues[0]?.message ?? INVALID_CREDENTIALS };
  }
  const user = await verify(parsed.data.email, parsed.data.password);
  return user ? { ok: true, user } : { ok: false, error: INVALID_CREDENTIALS };
}
