import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, name = "adclick"): Logger {
  return pino(
    { name, level, base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: false }),
  );
}

interface EndableStream {
  destroyed?: boolean;
  end?: () => void;
  once?: (event: "close", listener: () => void) => void;
}

/**
 * Resolves once every line logged so far is written (or after `timeoutMs`);
 * the logger takes no more lines after. Call it just before `process.exit`:
 * the destination writes asynchronously, and exiting with a write in flight
 * loses or reorders the last lines (pino's synchronous flush at exit writes
 * the queued lines ahead of the one being written). The wait is generous: on
 * a loaded machine a reader slow to drain the pipe held megabytes of stop
 * lines past 2 s.
 */
export function endLogger(logger: Logger, timeoutMs = 10_000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, EndableStream | undefined>)[
    pino.symbols.streamSym
  ];
  if (!stream?.end || !stream.once || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    stream.once?.("close", () => {
      clearTimeout(timer);
      resolve();
    });
    stream.end?.();
  });
}
