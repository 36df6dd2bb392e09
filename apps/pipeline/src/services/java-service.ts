/**
 * A Java server of the local stack (Kafka, s3proxy): jars from Maven Central,
 * started detached from this checkout with a pid file, health-checked with a
 * real request, and stopped only when this checkout started it.
 */
import { mkdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { ensureJars, jarsReady } from "./maven";
import type { StackPaths } from "./paths";
import {
  isAlive,
  isOurJavaProcess,
  portOpen,
  readPidFile,
  removePidFile,
  startDetached,
  stopProcess,
  tailFile,
} from "./processes";
import { type Say, type ServiceState, type StackService, seconds, sleep } from "./service";

export interface JavaServiceOptions {
  name: string;
  /** What it is, for messages: "Kafka broker". */
  label: string;
  host: string;
  port: number;
  paths: StackPaths;
  pom: string;
  libDir: string;
  mainClass: string;
  jvmArgs: string[];
  mainArgs: string[];
  /** The file the server logs to (shown on failures). */
  logFile: string;
  /** Where the process's stdout and stderr go; default data/logs/<name>.out. */
  stdoutFile?: string;
  startTimeoutMs: number;
  stopGraceMs: number;
  /** Writes generated config, formats storage…; runs before each start. */
  prepare(say: Say): Promise<void>;
  /** A real request against the server; resolves with a short detail, rejects when unhealthy. */
  probe(): Promise<string>;
  /** Runs once the server answers (ours or reused), e.g. to create a bucket. */
  afterUp?(say: Say): Promise<void>;
}

export class JavaService implements StackService {
  readonly name: string;
  readonly address: string;
  private readonly pidFile: string;
  private readonly stdoutFile: string;
  private readonly markers: string[];

  constructor(private readonly opts: JavaServiceOptions) {
    this.name = opts.name;
    this.address = `${opts.host}:${opts.port}`;
    // One pid file per port, and the address among the markers: a `down` run with
    // another KAFKA_BROKERS or S3_ENDPOINT never stops the server on a different port.
    this.pidFile = join(opts.paths.runDir, `${opts.name}-${opts.port}.pid`);
    this.stdoutFile = opts.stdoutFile ?? join(opts.paths.logDir, `${opts.name}.out`);
    this.markers = [
      `-Dadclick.service=${opts.name}`,
      `-Dadclick.root=${opts.paths.root}`,
      `-Dadclick.address=${this.address}`,
    ];
  }

  /** The pid of the server this checkout started, when it is still that server. */
  private ourPid(): number | null {
    const pid = readPidFile(this.pidFile);
    return pid !== null && isOurJavaProcess(pid, this.markers) ? pid : null;
  }

  private async tryProbe(): Promise<string | null> {
    try {
      return await this.opts.probe();
    } catch {
      return null;
    }
  }

  async up(say: Say): Promise<string> {
    const { opts } = this;
    const pid = this.ourPid();
    if (pid !== null) {
      let detail = await this.tryProbe();
      if (detail === null) {
        say(`running (pid ${pid}) but not answering yet; waiting …`);
        detail = await this.waitHealthy(pid, say);
      }
      detail = await this.afterUp(say, detail);
      return `up at ${this.address} (already running, pid ${pid}; ${detail})`;
    }
    if (readPidFile(this.pidFile) !== null) removePidFile(this.pidFile);

    if (await portOpen(opts.host, opts.port)) {
      // Perhaps one that another checkout is still starting: give it a moment.
      let detail = await this.tryProbe();
      for (let i = 0; detail === null && i < 30; i++) {
        await sleep(500);
        detail = await this.tryProbe();
      }
      if (detail === null) {
        throw new Error(
          `${this.address} is taken by a program that is not a healthy ${opts.label}; stop it or free the port`,
        );
      }
      say(
        `reusing the ${opts.label} already answering on ${this.address} (not started from this checkout)`,
      );
      return `up at ${this.address} (reused, started elsewhere; ${await this.afterUp(say, detail)})`;
    }

    const started = Date.now();
    if (!jarsReady(opts.pom, opts.libDir)) {
      say(`fetching jars from Maven Central into ${this.rel(opts.libDir)} (first run only) …`);
      await ensureJars(opts.pom, opts.libDir);
      say(`jars ready (${seconds(started)})`);
    }
    for (const dir of [opts.paths.runDir, opts.paths.logDir, opts.paths.confDir]) {
      mkdirSync(dir, { recursive: true });
    }
    await opts.prepare(say);
    const newPid = await startDetached({
      command: "java",
      args: [
        ...opts.jvmArgs,
        ...this.markers,
        "-cp",
        `${opts.libDir}/*`,
        opts.mainClass,
        ...opts.mainArgs,
      ],
      cwd: opts.paths.root,
      logFile: this.stdoutFile,
      pidFile: this.pidFile,
    });
    say(`starting (pid ${newPid}, log ${this.rel(opts.logFile)}) …`);
    const detail = await this.afterUp(say, await this.waitHealthy(newPid, say));
    return `up at ${this.address} (started in ${seconds(started)}, pid ${newPid}; ${detail})`;
  }

  /** Runs the afterUp step, if any, and returns a fresh health detail. */
  private async afterUp(say: Say, detail: string): Promise<string> {
    if (!this.opts.afterUp) return detail;
    await this.opts.afterUp(say);
    return (await this.tryProbe()) ?? detail;
  }

  private async waitHealthy(pid: number, say: Say): Promise<string> {
    const { opts } = this;
    const deadline = Date.now() + opts.startTimeoutMs;
    while (Date.now() < deadline) {
      const detail = await this.tryProbe();
      if (detail !== null) return detail;
      if (!isAlive(pid)) {
        removePidFile(this.pidFile);
        // Another checkout may have started the same server a moment before us.
        const other = await this.tryProbe();
        if (other !== null) return `${other}; started elsewhere`;
        const cause = this.sayLogTail(say);
        throw new Error(
          `${opts.name} exited while starting${cause ? ` (${cause})` : ""}; see ${[...new Set([opts.logFile, this.stdoutFile])].map((f) => this.rel(f)).join(" and ")}`,
        );
      }
      await sleep(300);
    }
    this.sayLogTail(say);
    throw new Error(
      `${opts.name} (pid ${pid}) did not answer on ${this.address} within ${opts.startTimeoutMs / 1000} s; see ${this.rel(opts.logFile)}`,
    );
  }

  /** Prints the telling lines at the end of the logs and returns the likely cause, if any. */
  private sayLogTail(say: Say): string | null {
    let cause: string | null = null;
    for (const file of new Set([this.opts.logFile, this.stdoutFile])) {
      const lines = tailFile(file, 200).filter(
        (line) => line.trim() && !/^\s+(at |\.\.\. \d+ more)/.test(line),
      );
      if (lines.length === 0) continue;
      say(`last lines of ${this.rel(file)}:`);
      for (const line of lines.slice(-10)) say(`  ${line}`);
      cause = likelyCause(lines) ?? cause;
    }
    return cause;
  }

  async down(say: Say): Promise<string> {
    const pid = readPidFile(this.pidFile);
    if (pid !== null && isOurJavaProcess(pid, this.markers)) {
      say(`stopping (pid ${pid}) …`);
      const started = Date.now();
      const how = await stopProcess(pid, this.opts.stopGraceMs);
      removePidFile(this.pidFile);
      return how === "stopped"
        ? `stopped (pid ${pid}, ${seconds(started)})`
        : `killed (pid ${pid} ignored SIGTERM for ${this.opts.stopGraceMs / 1000} s)`;
    }
    if (pid !== null) {
      removePidFile(this.pidFile);
      return `not running (removed a stale pid file for pid ${pid})`;
    }
    if ((await this.tryProbe()) !== null) {
      return `left running at ${this.address}: not started from this checkout`;
    }
    return "not running";
  }

  async status(): Promise<ServiceState> {
    const pid = this.ourPid();
    const detail = await this.tryProbe();
    const base = { name: this.name, address: this.address };
    if (pid !== null) {
      return detail !== null
        ? { ...base, state: "up", note: `pid ${pid}, started here; ${detail}` }
        : { ...base, state: "unhealthy", note: `pid ${pid}, started here, not answering` };
    }
    if (detail !== null) return { ...base, state: "up", note: `started elsewhere; ${detail}` };
    if (await portOpen(this.opts.host, this.opts.port)) {
      return {
        ...base,
        state: "unhealthy",
        note: `port taken by a program that is not a healthy ${this.opts.label}`,
      };
    }
    return { ...base, state: "down", note: "" };
  }

  private rel(path: string): string {
    const r = relative(this.opts.paths.root, path);
    return r.startsWith("..") ? path : r || basename(path);
  }
}

/**
 * The likely reason a server died, from the end of its log: the last exception's
 * root cause, in the wording that gives it the most context (an outer message
 * that repeats it, e.g. "Socket server failed to bind to 127.0.0.1:9093: Address
 * already in use."), else the last ERROR line.
 */
export function likelyCause(lines: string[]): string | null {
  const recent = lines.slice(-40);
  const messages = recent.flatMap((line) => {
    const m = /(?:^|\s)(?:Caused by: )?[\w.$]+(?:Exception|Error): (.+)$/.exec(line);
    return m ? [m[1]!.trim()] : [];
  });
  const root = messages.at(-1)?.replace(/\.$/, "");
  if (root) {
    // The deepest cause, or the message that wraps it with the most context.
    return messages.filter((m) => m.includes(root)).reduce((a, b) => (b.length > a.length ? b : a));
  }
  for (const line of [...recent].reverse()) {
    const error = /\b(?:ERROR|FATAL)\b\s+(.+)$/.exec(line);
    if (error) return error[1]!.trim();
  }
  return null;
}
