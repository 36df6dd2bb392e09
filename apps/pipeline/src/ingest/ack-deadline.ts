export type AckOutcome = { kind: "acked" } | { kind: "failed"; error: unknown } | { kind: "late" };

/**
 * Waits for Kafka's acknowledgement of a request's events for at most
 * `deadlineMs`. A late send is still in flight and may yet land: the caller
 * answers 503 and settles the request's idempotency claims when it does.
 */
export async function awaitAck(sent: Promise<void>, deadlineMs: number): Promise<AckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<AckOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "late" }), deadlineMs);
  });
  try {
    return await Promise.race([
      sent.then(
        (): AckOutcome => ({ kind: "acked" }),
        (error: unknown): AckOutcome => ({ kind: "failed", error }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn`, retrying with a doubling pause; rethrows the last error. */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 4, pauseMs = 50): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, pauseMs * 2 ** (attempt - 1)));
    }
  }
}
