import type { Logger } from "../runtime/logger";

export interface StartBackoffOptions {
  logger: Logger;
  /** Give up (and rethrow the last error) after this long; default 120 s. */
  timeoutMs?: number;
  /** Errors that retrying cannot mend: thrown at once. */
  isFatal?: (err: unknown) => boolean;
}

export const START_TIMEOUT_MS = 120_000;

/**
 * Runs `fn` until it succeeds, waiting 100 ms, 200 ms, … up to 5 s between
 * attempts and logging each wait: a dependency (broker, topic, database) that is
 * late at start is waited for, within a bound, instead of crashing the role.
 */
export async function withStartBackoff<T>(
  what: string,
  fn: () => Promise<T>,
  options: StartBackoffOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? START_TIMEOUT_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (options.isFatal?.(err) || Date.now() >= deadline) throw err;
      const delayMs = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
      options.logger.warn(
        { attempt: attempt + 1, delayMs, reason: err instanceof Error ? err.message : String(err) },
        `waiting for ${what}`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
