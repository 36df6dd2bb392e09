/** One line of progress, already prefixed with the service's name by the caller. */
export type Say = (message: string) => void;

export type ServiceHealth = "up" | "down" | "unhealthy";

export interface ServiceState {
  name: string;
  state: ServiceHealth;
  address: string;
  /** Who runs it and anything else worth a glance: "pid 123, started here". */
  note: string;
}

/** A service of the local stack, managed by `adclick services up|down|status`. */
export interface StackService {
  readonly name: string;
  readonly address: string;
  /** Brings the service up (or finds it up) and answers healthy; returns a one-line summary. */
  up(say: Say): Promise<string>;
  /** Stops it when this checkout started it; returns a one-line summary. */
  down(say: Say): Promise<string>;
  status(): Promise<ServiceState>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Seconds with one decimal, for progress lines. */
export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}
