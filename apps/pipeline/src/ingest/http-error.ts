/** An answer other than success, with its status and headers, thrown by the ingest's handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Errors from Redis, Postgres or Kafka being unreachable (drizzle wraps pg errors in `cause`). */
export function isDependencyError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P01|57P03|53300|08\d{3})$/.test(code))
      return true;
    if (
      /MaxRetriesPerRequestError|Connection is closed|Redis|KafkaJS/i.test(`${e.name} ${e.message}`)
    )
      return true;
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(e.message))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
