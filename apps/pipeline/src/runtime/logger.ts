import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string, name = "adclick"): Logger {
  return pino(
    { name, level, base: { pid: process.pid } },
    pino.destination({ fd: 2, sync: false }),
  );
}
