/**
 * The pipeline's roles as separate processes (`adclick ingest|aggregate|archive`),
 * so each one's memory is its own: started with the soak's environment, ready
 * when its /readyz answers 200, stopped with SIGTERM (C6).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "../bench/run-info";

export interface RoleProcess {
  name: string;
  pid: number;
  /** Resident memory now, bytes (Linux /proc). */
  rssBytes(): Promise<number>;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kib * 1024;
}

async function waitReady(child: ChildProcess, url: string, name: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} at start`);
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready after ${timeoutMs / 1000} s (${url})`);
}

/** Starts `adclick <role>` with `env`, its output in `<logDir>/<role>.log`; resolves when ready. */
export async function startRole(
  role: "ingest" | "aggregate" | "archive",
  env: NodeJS.ProcessEnv,
  logDir: string,
): Promise<RoleProcess> {
  const opsPort = await freePort();
  const log = createWriteStream(join(logDir, `${role}.log`));
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "apps/pipeline/bin/adclick.mjs"), role, "--ops-port", String(opsPort)],
    { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    await waitReady(child, `http://127.0.0.1:${opsPort}/readyz`, role, 90_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    name: role,
    pid: child.pid!,
    rssBytes: () => rssOf(child.pid!),
    stop: async (graceMs = 30_000) => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
