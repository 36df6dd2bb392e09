import type { IncomingMessage } from "node:http";
import { gunzip } from "node:zlib";

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the raw body, refusing (413) more than `limitBytes` before or after gzip decoding. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk as Buffer);
  }
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding === "identity") return raw;
  if (encoding !== "gzip")
    throw new BodyError(415, `content-encoding "${encoding}" is not supported; send gzip or none`);
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limitBytes }, (err, out) => {
      if (!err) resolve(out);
      else if (
        err instanceof RangeError ||
        (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
      )
        reject(tooLarge(limitBytes));
      else reject(new BodyError(400, "body is not valid gzip"));
    });
  });
}

function tooLarge(limitBytes: number): BodyError {
  return new BodyError(
    413,
    `request body is larger than ${limitBytes} bytes; send smaller batches`,
  );
}

/** One item of a batch: the parsed JSON value, or why its NDJSON line could not be parsed. */
export type BodyItem = { value: unknown } | { error: string };

export function isNdjson(contentType: string | undefined): boolean {
  return /\b(x-ndjson|ndjson|jsonl|json-seq|x-jsonlines)\b/i.test(contentType ?? "");
}

/**
 * Splits a body into events: one JSON object, a JSON array of them, or NDJSON
 * (blank lines skipped; a line that is not JSON is a per-event rejection).
 * Throws BodyError(400) when the body as a whole is unusable.
 */
export function parseBody(
  body: Buffer,
  contentType: string | undefined,
  maxEvents: number,
): BodyItem[] {
  const text = body.toString("utf8");
  if (!text.trim()) throw new BodyError(400, "request body is empty");
  let items: BodyItem[];
  if (isNdjson(contentType)) {
    items = [];
    for (const line of text.split("\n")) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      if (items.length >= maxEvents) throw tooMany(maxEvents);
      try {
        items.push({ value: JSON.parse(trimmed) });
      } catch {
        items.push({ error: "line is not valid JSON" });
      }
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message.split("\n")[0] : "parse error";
      throw new BodyError(
        400,
        `body is not valid JSON (${detail}); for NDJSON send Content-Type: application/x-ndjson`,
      );
    }
    if (Array.isArray(parsed)) {
      if (parsed.length > maxEvents) throw tooMany(maxEvents);
      items = parsed.map((value) => ({ value }));
    } else if (parsed !== null && typeof parsed === "object") {
      items = [{ value: parsed }];
    } else {
      throw new BodyError(400, "body must be a JSON object, a JSON array of objects, or NDJSON");
    }
  }
  return items;
}

function tooMany(maxEvents: number): BodyError {
  return new BodyError(413, `at most ${maxEvents} events per request; split the batch`);
}
