import type { IHeaders } from "kafkajs";

/**
 * The Kafka header that carries the ingest's request id (the receipt it
 * answered, also its `x-request-id` response header) on every click of the
 * request, so a consumer's log line about a message names the request it came in.
 */
export const REQUEST_ID_HEADER = "receipt";

/** The request id a message carries, or undefined when it has none. */
export function requestIdOf(headers: IHeaders | undefined): string | undefined {
  const value = headers?.[REQUEST_ID_HEADER];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === "string" ? first : first.toString("utf8");
}
