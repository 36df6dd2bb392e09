/**
 * Test helpers for child processes: free ports, waiting for a condition, and
 * the `adclick` CLI run as a long-lived role (with readiness, kill -9, pause,
 * restart) or to completion.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../", import.meta.url));
export const ADCLICK_BIN = fileURLToPath(
  new URL("../apps/pipeline/bin/adclick.mjs", import.meta.url),
);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `predicate` until it is true; throws naming `what` (and the last error) on timeout. */
export async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await predicate()) return;
      lastError = null;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ""}`,
  );
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `adclick <args>` to completion with exactly `env` (plus PATH and HOME). */
export function runAdclick(
  args: string[],
  env: Record<string, string>,
  { onSpawn }: { onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ADCLICK_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}

export interface RoleOptions {
  /** The CLI command and its flags, e.g. ["aggregate", "--ops-port", "0"]. */
  args: string[];
  env: Record<string, string>;
  /** Where /readyz answers 200 once the role is up. */
  readyUrl: string;
  readyTimeoutMs?: number;
}

/**
 * A pipeline role (`adclick ingest|aggregate|archive|review-sink`) run as a
 * child process. `start` waits for /readyz; `kill9`, `pause` and `resume`
 * inject faults from outside; `restart` starts the same command again.
 */
export class RoleProcess {
  private child: ChildProcess | null = null;
  private log: string[] = [];
  /** How many times the process was started. */
  starts = 0;

  constructor(
    readonly name: string,
    private readonly options: RoleOptions,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the role wrote to stderr (for failure messages). */
  tail(lines = 30): string {
    return this.log.join("").split("\n").slice(-lines).join("\n");
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const child = spawn(process.execPath, [ADCLICK_BIN, ...this.options.args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...this.options.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    this.starts++;
    child.stderr?.on("data", (chunk: Buffer) => {
      this.log.push(chunk.toString());
      if (this.log.length > 400) this.log.splice(0, 200);
    });
    await waitFor(
      `${this.name} to be ready at ${this.options.readyUrl}`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `${this.name} exited (${child.exitCode ?? child.signalCode}): ${this.tail()}`,
          );
        const res = await fetch(this.options.readyUrl).catch(() => null);
        await res?.arrayBuffer();
        return res?.status === 200;
      },
      { timeoutMs: this.options.readyTimeoutMs ?? 90_000, intervalMs: 200 },
    ).catch((err) => {
      throw new Error(`${String(err)}\n${this.tail()}`);
    });
  }

  /** kill -9, and waits until the process is gone. */
  async kill9(): Promise<ExitInfo> {
    const child = this.requireChild();
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    return waitForExit(child);
  }

  /** SIGTERM, and waits for the exit (C6: a graceful stop exits 0). */
  async stop(): Promise<ExitInfo> {
    const child = this.requireChild();
    if (!this.running) return waitForExit(child);
    child.kill("SIGCONT");
    child.kill("SIGTERM");
    return waitForExit(child);
  }

  pause(): void {
    this.requireChild().kill("SIGSTOP");
  }

  resume(): void {
    this.requireChild().kill("SIGCONT");
  }

  async restart(): Promise<void> {
    if (this.running) await this.kill9();
    await this.start();
  }

  /** Kills whatever is left (used in afterAll). */
  async dispose(): Promise<void> {
    if (this.child && this.running) await this.kill9();
  }

  private requireChild(): ChildProcess {
    if (!this.child) throw new Error(`${this.name} was never started`);
    return this.child;
  }
}
