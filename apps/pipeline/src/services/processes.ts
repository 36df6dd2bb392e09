/**
 * Background processes of the local stack: started detached with a pid file, and
 * stopped only after checking that the pid is still the process we started
 * (pids get reused after a reboot or a crash).
 */
import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { sleep } from "./service";

export function readPidFile(path: string): number | null {
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie has exited but is not reaped yet.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** The argv of a running process, or null when it is gone. */
export function commandLine(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    // No /proc (macOS): ask ps; arguments then come back space-joined.
    const ps = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
    return ps.status === 0 && ps.stdout.trim() ? ps.stdout.trim().split(/\s+/) : null;
  }
}

/** True when `pid` is a live java process carrying every one of `markers` among its arguments. */
export function isOurJavaProcess(pid: number, markers: string[]): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLine(pid);
  if (!argv || argv.length === 0) return false;
  const program = argv[0]!.split("/").pop() ?? "";
  return program.startsWith("java") && markers.every((m) => argv.includes(m));
}

export interface DetachedOptions {
  command: string;
  args: string[];
  cwd: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  pidFile: string;
}

/** Starts a process that outlives this one; resolves with its pid once it is spawned. */
export async function startDetached(opts: DetachedOptions): Promise<number> {
  const out = openSync(opts.logFile, "a");
  try {
    const child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      detached: true,
      stdio: ["ignore", out, out],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", (err: NodeJS.ErrnoException) =>
        reject(
          err.code === "ENOENT"
            ? new Error(`${opts.command} not found on PATH (install a Java 17 runtime)`)
            : err,
        ),
      );
      child.once("spawn", () => resolve(child.pid!));
    });
    child.unref();
    writeFileSync(opts.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM, wait up to `graceMs` for a clean exit, then SIGKILL. */
export async function stopProcess(pid: number, graceMs: number): Promise<"stopped" | "killed"> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return "stopped";
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return "stopped";
    await sleep(200);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return "stopped";
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return "killed";
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The last `lines` lines of a log file (read from its last 16 KiB), for error messages. */
export function tailFile(path: string, lines = 15): string[] {
  if (!existsSync(path)) return [];
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16_384);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString("utf8").trimEnd().split("\n").slice(-lines);
  } finally {
    closeSync(fd);
  }
}

export interface RunOptions {
  cwd?: string;
  /** The error to give when the program is not installed. */
  notInstalled: string;
  /** The error to give for a non-zero exit, from the program's combined output. */
  failed: (output: string, code: number | null) => string;
}

/** Runs a short-lived program to completion; resolves with its combined output. */
export function runToCompletion(cmd: string, args: string[], opts: RunOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(err.code === "ENOENT" ? new Error(opts.notInstalled) : err),
    );
    child.once("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(opts.failed(output, code)));
    });
  });
}
