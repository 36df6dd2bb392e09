/**
 * Sign-in rate limits: failed attempts in a sliding window, counted per account
 * (the email tried, whether or not it exists) and per client IP. A blocked
 * attempt is not checked and not counted, so it cannot extend its own block.
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60 * 1000,
  perAccount: 5,
  perIp: 30,
} as const;
export type SignInLimits = { windowMs: number; perAccount: number; perIp: number };

export interface FailureCount {
  count: number;
  oldestAt: Date | null;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Whether another attempt may be checked now, given the failures inside the window. */
export function decideSignInLimit(
  failures: { account: FailureCount; ip: FailureCount },
  now: Date,
  limits: SignInLimits = SIGN_IN_LIMITS,
): LimitDecision {
  let retryAfterMs = 0;
  const over = (c: FailureCount, max: number) => {
    if (c.count < max) return;
    const freesAt = (c.oldestAt?.getTime() ?? now.getTime()) + limits.windowMs;
    retryAfterMs = Math.max(retryAfterMs, freesAt - now.getTime(), 1000);
  };
  over(failures.account, limits.perAccount);
  over(failures.ip, limits.perIp);
  return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
}

export function tooManyAttemptsMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return `Too many sign-in attempts; try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}
