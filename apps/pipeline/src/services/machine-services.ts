/**
 * PostgreSQL and Redis are machine services: installed from the OS packages and
 * normally running already. `services up` checks them, starts them with the
 * machine's own command when they are installed but stopped, and makes sure the
 * database named in DATABASE_URL exists. `services down` leaves them running.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";
import { type Say, type ServiceState, type StackService, sleep } from "./service";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith("127.");
}

async function waitFor(probe: () => Promise<string>, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(300);
    }
  }
}

/** Runs a machine command; returns null on success, else a one-line reason. */
function runCommand(command: string, args: string[]): string | null {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  if (result.error) {
    return (result.error as NodeJS.ErrnoException).code === "ENOENT"
      ? `${command} is not installed`
      : result.error.message;
  }
  if (result.status !== 0) {
    const lines = `${result.stderr}\n${result.stdout}`.trim().split("\n");
    return `${command} exited with ${result.status}: ${lines.pop() ?? ""}`;
  }
  return null;
}

/** The database name from DATABASE_URL, checked so it can be quoted safely. */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) {
    throw new Error(
      `DATABASE_URL: expected a database name of letters, digits, _ or -, got "${name}"`,
    );
  }
  return name;
}

export class PostgresService implements StackService {
  readonly name = "postgres";
  readonly address: string;
  private readonly host: string;
  private readonly port: number;
  private readonly database: string;
  private readonly adminUrl: string;

  constructor(databaseUrl: string) {
    const url = new URL(databaseUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 5432);
    this.address = `${this.host}:${this.port}`;
    this.database = databaseName(databaseUrl);
    url.pathname = "/postgres";
    this.adminUrl = url.toString();
  }

  private async withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({
      connectionString: this.adminUrl,
      connectionTimeoutMillis: 2_000,
      application_name: "adclick-services",
    });
    client.on("error", () => undefined);
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private probe(): Promise<string> {
    return this.withClient(async (client) => {
      const { rows } = await client.query<{ v: string }>(
        "select current_setting('server_version') as v",
      );
      return `PostgreSQL ${rows[0]?.v.split(" ")[0] ?? "?"}`;
    });
  }

  private async databaseExists(): Promise<boolean> {
    return this.withClient(async (client) => {
      const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [
        this.database,
      ]);
      return (rowCount ?? 0) > 0;
    });
  }

  async up(say: Say): Promise<string> {
    let version: string;
    try {
      version = await this.probe();
    } catch (err) {
      version = await this.start(say, err);
    }
    if (await this.databaseExists())
      return `up at ${this.address} (${version}; database "${this.database}" exists)`;
    await this.withClient(async (client) => {
      try {
        await client.query(`create database "${this.database}"`);
      } catch (err) {
        // 42P04: created by a concurrent `services up` a moment ago.
        if ((err as { code?: string }).code !== "42P04") throw err;
      }
    });
    say(`created database "${this.database}"`);
    return `up at ${this.address} (${version}; database "${this.database}" created)`;
  }

  private async start(say: Say, cause: unknown): Promise<string> {
    const reason = cause instanceof Error ? cause.message : String(cause);
    if (!isLoopback(this.host)) {
      throw new Error(
        `PostgreSQL at ${this.address} is not answering (${reason}); it is not local, so start it there`,
      );
    }
    const versions = existsSync("/etc/postgresql") ? readdirSync("/etc/postgresql").sort() : [];
    const version = versions.at(-1);
    if (!version) {
      throw new Error(
        `PostgreSQL is not answering on ${this.address} and is not installed here (apt-get install -y postgresql)`,
      );
    }
    say(`not answering (${reason}); starting the machine's PostgreSQL ${version} …`);
    const failure = runCommand("pg_ctlcluster", [
      "--skip-systemctl-redirect",
      version,
      "main",
      "start",
    ]);
    if (failure) throw new Error(`could not start PostgreSQL: ${failure}`);
    return waitFor(() => this.probe(), 30_000);
  }

  async down(): Promise<string> {
    return "left running (a machine service)";
  }

  async status(): Promise<ServiceState> {
    const base = { name: this.name, address: this.address };
    try {
      const version = await this.probe();
      return (await this.databaseExists())
        ? { ...base, state: "up", note: `${version}, database "${this.database}"` }
        : {
            ...base,
            state: "unhealthy",
            note: `database "${this.database}" is missing (services up creates it)`,
          };
    } catch {
      return { ...base, state: "down", note: "" };
    }
  }
}

export class RedisService implements StackService {
  readonly name = "redis";
  readonly address: string;
  private readonly host: string;
  private readonly port: number;

  constructor(private readonly redisUrl: string) {
    const url = new URL(redisUrl);
    this.host = url.hostname;
    this.port = Number(url.port || 6379);
    this.address = `${this.host}:${this.port}`;
  }

  private async probe(): Promise<string> {
    const redis = new Redis(this.redisUrl, {
      lazyConnect: true,
      connectTimeout: 1_500,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      const info = await redis.info("server");
      return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "?"}`;
    } finally {
      redis.disconnect();
    }
  }

  async up(say: Say): Promise<string> {
    try {
      return `up at ${this.address} (${await this.probe()})`;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (!isLoopback(this.host)) {
        throw new Error(
          `Redis at ${this.address} is not answering (${reason}); it is not local, so start it there`,
        );
      }
      say(`not answering (${reason}); starting redis-server …`);
      mkdirSync("/var/lib/redis", { recursive: true });
      mkdirSync("/var/log/redis", { recursive: true });
      // The machine's own command (it keeps nothing on disk).
      const failure = runCommand("redis-server", [
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "-::1",
        "--port",
        String(this.port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        "/var/lib/redis",
        "--logfile",
        "/var/log/redis/ci.log",
      ]);
      if (failure?.endsWith("is not installed")) {
        throw new Error(
          `Redis is not answering on ${this.address} and redis-server is not installed (apt-get install -y redis-server)`,
        );
      }
      if (failure) throw new Error(`could not start Redis: ${failure}`);
      return `up at ${this.address} (${await waitFor(() => this.probe(), 15_000)}; started)`;
    }
  }

  async down(): Promise<string> {
    return "left running (a machine service)";
  }

  async status(): Promise<ServiceState> {
    const base = { name: this.name, address: this.address };
    try {
      return { ...base, state: "up", note: await this.probe() };
    } catch {
      return { ...base, state: "down", note: "" };
    }
  }
}
