/**
 * Answering a request before its body is read (413, 401, 429, …) so that the
 * client still sending receives the answer (C1). Closing the socket with
 * unread bytes in its receive queue makes the kernel send a reset, and a reset
 * can reach the client before it has read the response (Node's fetch then sees
 * EPIPE or ECONNRESET instead of the 413). So: the whole response is written
 * at once (with its Content-Length, so the client knows it is complete), the
 * rest of the body is read and thrown away, and only then does the response end
 * and the connection close. A client that keeps sending past `maxDrainBytes` or
 * `maxDrainMs` is cut off.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export interface DrainLimits {
  maxDrainBytes: number;
  maxDrainMs: number;
}

export const DEFAULT_DRAIN_LIMITS: DrainLimits = {
  maxDrainBytes: 64 * 1024 * 1024,
  maxDrainMs: 10_000,
};

export function answerThenClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
  limits: DrainLimits = DEFAULT_DRAIN_LIMITS,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    connection: "close",
  });
  res.write(text);
  if (req.readableEnded || req.destroyed) {
    res.end();
    return;
  }
  let drained = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.off("data", onData);
    req.off("end", finish);
    req.off("error", finish);
    req.off("close", finish);
    res.end();
  };
  const onData = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limits.maxDrainBytes) finish();
  };
  const timer = setTimeout(finish, limits.maxDrainMs);
  timer.unref();
  req.on("data", onData);
  req.once("end", finish);
  req.once("error", finish);
  req.once("close", finish);
  req.resume();
}
