import type { DbOrTx } from "@adclick/db/client";
import {
  clearSignInFailures,
  countSignInFailures,
  normalizeEmail,
  pruneSignInFailures,
  recordSignInFailure,
  verifyUserPassword,
} from "@adclick/db/queries";
import { z } from "zod";
import {
  decideSignInLimit,
  type LimitDecision,
  SIGN_IN_LIMITS,
  type SignInLimits,
  tooManyAttemptsMessage,
} from "./rate-limit";
import type { SessionUser } from "./session-user";

/** Checks an email and password against the user store; null when they do not match a user. */
export type VerifyUser = (email: string, password: string) => Promise<SessionUser | null>;

/** The users table (C5): argon2id hashes written by `adclick user create` and `adclick seed`. */
export function databaseVerifier(db: DbOrTx): VerifyUser {
  return (email, password) => verifyUserPassword(db, email, password);
}

/**
 * Counts sign-in attempts. `attempt` is asked before the password is checked:
 * it refuses when the account or IP is over its limit, otherwise it counts the
 * attempt as a failure up front (so parallel guesses count too) and hands back
 * `succeeded`, which forgets the account's failures once the password was right.
 */
export interface SignInLimiter {
  attempt(
    account: string,
    ip: string,
    now: Date,
  ): Promise<
    Exclude<LimitDecision, { allowed: true }> | { allowed: true; succeeded(): Promise<void> }
  >;
}

export function databaseLimiter(db: DbOrTx, limits: SignInLimits = SIGN_IN_LIMITS): SignInLimiter {
  return {
    async attempt(account, ip, now) {
      const since = new Date(now.getTime() - limits.windowMs);
      const decision = decideSignInLimit(
        await countSignInFailures(db, { account, ip, since }),
        now,
        limits,
      );
      if (!decision.allowed) return decision;
      await recordSignInFailure(db, { account, ip, at: now });
      return {
        allowed: true,
        async succeeded() {
          await clearSignInFailures(db, account);
          await pruneSignInFailures(db, since);
        },
      };
    },
  };
}

export const SignInInput = z.object({
  email: z.string().trim().min(1, { error: "Enter your email address" }),
  password: z.string().min(1, { error: "Enter your password" }),
});
export type SignInInput = z.infer<typeof SignInInput>;

export const INVALID_CREDENTIALS = "Invalid email or password";

export type SignInResult = { ok: true; user: SessionUser } | { ok: false; error: string };

/**
 * Validates the form fields, applies the rate limit, and asks `verify` for the
 * user. Wrong email and wrong password give the same answer, so the form does
 * not reveal which accounts exist.
 */
export async function signIn(
  fields: unknown,
  verify: VerifyUser,
  options: { limiter?: SignInLimiter; ip?: string; now?: Date } = {},
): Promise<SignInResult> {
  const parsed = SignInInput.safeParse(fields);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues[0]?.message ?? INVALID_CREDENTIALS };
  }
  const { email, password } = parsed.data;
  const attempt = await options.limiter?.attempt(
    normalizeEmail(email),
    options.ip ?? "unknown",
    options.now ?? new Date(),
  );
  if (attempt && !attempt.allowed) {
    return { ok: false, error: tooManyAttemptsMessage(attempt.retryAfterMs) };
  }
  const user = await verify(email, password);
  if (!user) return { ok: false, error: INVALID_CREDENTIALS };
  await attempt?.succeeded();
  return { ok: true, user };
}

/** The client's address as the first proxy saw it (or "unknown"): the per-IP limit's key. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
