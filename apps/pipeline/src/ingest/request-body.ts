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

export interface RequestBody {
  /** The bytes as sent (what a request signature covers). */
  raw: Buffer;
  /** The bytes after Content-Encoding is undone. */
  decoded: Buffer;
}

/** Reads the body, refusing (413) more than `limitBytes` before or after gzip decoding. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<RequestBody> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const raw = await readRaw(req, limitBytes);
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding === "identity") return { raw, decoded: raw };
  if (encoding !== "gzip")
    throw new BodyError(415, `content-encoding "${encoding}" is not supported; send gzip or none`);
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limitBytes }, (err, out) => {
      if (!err) resolve({ raw, decoded: out });
      else if (
        err instanceof RangeError ||
        (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE"
      )
        reject(tooLarge(limitBytes));
      else reject(new BodyError(400, "body is not valid gzip"));
    });
  });
}

/**
 * The body bytes with plain 'data'/'end' listeners (an async iterator costs
 * several objects and ticks per request). Too large: reading stops (the stream
 * is paused, not destroyed) and 413 follows; the answer drains the rest (see
 * early-refusal.ts), so the client receives it instead of a reset.
 */
function readRaw(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (req.complete && req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.pause();
        reject(tooLarge(limitBytes));
        return;
      }
      if (first === null) first = chunk;
      else if (chunks === null) chunks = [first, chunk];
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (chunks) resolve(Buffer.concat(chunks, size));
      else resolve(first ?? Buffer.alloc(0));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      if (!req.complete)
        reject(Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
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
  if (!/\S/.test(text)) throw new BodyError(400, "request body is empty");
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
      items = new Array<BodyItem>(parsed.length);
      for (let i = 0; i < parsed.length; i++) items[i] = { value: parsed[i] };
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
