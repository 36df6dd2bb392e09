/**
 * The local stack behind `adclick services up|down|status`: PostgreSQL and Redis
 * (machine services), Kafka and s3proxy (Java servers this checkout runs from
 * Maven Central jars). Everything lives under the checkout: jars in .cache/,
 * data, logs, pid files and generated config in data/.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Config, parseLakeUrl } from "@adclick/shared";
import { readConfig } from "../config";
import { kafkaService, probeKafka } from "./kafka-service";
import { isLoopback, PostgresService, RedisService } from "./machine-services";
import { type StackPaths, stackPaths } from "./paths";
import { isAlive } from "./processes";
import { ensureBuckets, probeS3, s3ProxyService } from "./s3proxy-service";
import {
  errorMessage,
  type Say,
  type ServiceState,
  type StackService,
  seconds,
  sleep,
} from "./service";

/** The bucket `services up` creates for an S3 lake (LAKE_URL=s3://adclick-lake/…). */
export const LAKE_BUCKET = "adclick-lake";

/**
 * Every service the local scripts bring up, with its default port and its
 * counterpart in docker-compose.yml (compose-drift.test.ts keeps them in step).
 */
export const LOCAL_SERVICES = [
  { name: "postgres", composeService: "postgres", port: 5432 },
  { name: "redis", composeService: "redis", port: 6379 },
  { name: "kafka", composeService: "kafka", port: 9092 },
  { name: "s3proxy", composeService: "minio", port: 9000 },
] as const;

export type LocalServiceName = (typeof LOCAL_SERVICES)[number]["name"];

/** A server this checkout does not run (a non-local address): checked, never started or stopped. */
class ExternalService implements StackService {
  constructor(
    readonly name: string,
    readonly address: string,
    private readonly probe: () => Promise<string>,
    private readonly afterUp: () => Promise<void> = async () => undefined,
  ) {}

  async up(): Promise<string> {
    let detail: string;
    try {
      detail = await this.probe();
    } catch (err) {
      throw new Error(
        `${this.name} at ${this.address} is not answering (${errorMessage(err)}); it is not local, so start it there`,
      );
    }
    await this.afterUp();
    return `up at ${this.address} (external; ${detail})`;
  }

  async down(): Promise<string> {
    return `left running at ${this.address} (external)`;
  }

  async status(): Promise<ServiceState> {
    try {
      return {
        name: this.name,
        address: this.address,
        state: "up",
        note: `external; ${await this.probe()}`,
      };
    } catch {
      return { name: this.name, address: this.address, state: "down", note: "external" };
    }
  }
}

/** "host:port" or "[v6]:port" → parts. */
function splitHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  return {
    host: address.slice(0, at).replace(/^\[|\]$/g, ""),
    port: Number(address.slice(at + 1)),
  };
}

function bucketsFor(config: Config, root: string): string[] {
  const lake = parseLakeUrl(config.LAKE_URL, root);
  return lake.kind === "s3" && lake.bucket !== LAKE_BUCKET
    ? [LAKE_BUCKET, lake.bucket]
    : [LAKE_BUCKET];
}

/** The stack's services in start order, for this config and checkout. */
export function stackServices(config: Config, paths: StackPaths = stackPaths()): StackService[] {
  const kafkaAddress = config.KAFKA_BROKERS[0]!;
  const kafka = splitHostPort(kafkaAddress);
  const s3Url = new URL(config.S3_ENDPOINT);
  const s3 = { host: s3Url.hostname.replace(/^\[|\]$/g, ""), port: Number(s3Url.port || 80) };
  const buckets = bucketsFor(config, paths.root);
  return [
    new PostgresService(config.DATABASE_URL),
    new RedisService(config.REDIS_URL),
    isLoopback(kafka.host)
      ? kafkaService({ config, paths, ...kafka })
      : new ExternalService("kafka", kafkaAddress, () => probeKafka(config, kafkaAddress)),
    isLoopback(s3.host) && s3Url.protocol === "http:"
      ? s3ProxyService({ config, paths, ...s3, buckets })
      : new ExternalService(
          "s3proxy",
          config.S3_ENDPOINT,
          () => probeS3(config, config.S3_ENDPOINT),
          async () => {
            await ensureBuckets(config, config.S3_ENDPOINT, buckets);
          },
        ),
  ];
}

export interface StackOptions {
  config?: Config;
  paths?: StackPaths;
  /** Where progress lines go (default: stdout). */
  print?: (line: string) => void;
}

const defaultPrint = (line: string) => process.stdout.write(`${line}\n`);
const NAME_WIDTH = 9;

function sayFor(print: (line: string) => void, name: string): Say {
  return (message) => print(`${name.padEnd(NAME_WIDTH)}${message}`);
}

/**
 * One `services up` or `down` at a time per checkout: a lock file with the
 * holder's pid, taken over when that process is gone.
 */
async function withStackLock<T>(
  paths: StackPaths,
  print: (line: string) => void,
  fn: () => Promise<T>,
): Promise<T> {
  mkdirSync(paths.runDir, { recursive: true });
  const lock = join(paths.runDir, "services.lock");
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(existsSync(lock) ? readFileSync(lock, "utf8").trim() : "");
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `another "adclick services" (pid ${holder}) has held ${lock} for 10 minutes`,
        );
      }
      if (!told) {
        print(`waiting for another "adclick services" run (pid ${holder}) to finish …`);
        told = true;
      }
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    if (existsSync(lock) && readFileSync(lock, "utf8").trim() === String(process.pid)) {
      rmSync(lock, { force: true });
    }
  }
}

/**
 * Brings the whole stack up (idempotent: a second call only checks health) and
 * resolves with each service's state; rejects with a one-line reason naming the
 * first service that could not be brought up.
 */
export async function servicesUp(options: StackOptions = {}): Promise<ServiceState[]> {
  const config = options.config ?? readConfig();
  const paths = options.paths ?? stackPaths();
  const print = options.print ?? defaultPrint;
  const started = Date.now();
  return withStackLock(paths, print, async () => {
    const services = stackServices(config, paths);
    const results = await Promise.allSettled(
      services.map(async (service) => {
        const say = sayFor(print, service.name);
        const summary = await service.up(say);
        say(summary);
        return summary;
      }),
    );
    const failures = results.flatMap((result, i) =>
      result.status === "rejected"
        ? [{ name: services[i]!.name, reason: errorMessage(result.reason) }]
        : [],
    );
    for (const { name, reason } of failures) sayFor(print, name)(`FAILED: ${reason}`);
    const first = failures[0];
    if (first) throw new Error(`${first.name}: ${first.reason}`);
    print(`all ${services.length} services up (${seconds(started)})`);
    return Promise.all(services.map((service) => service.status()));
  });
}

/** Stops what this checkout started (Kafka, s3proxy); machine services stay up. */
export async function servicesDown(options: StackOptions = {}): Promise<void> {
  const config = options.config ?? readConfig();
  const paths = options.paths ?? stackPaths();
  const print = options.print ?? defaultPrint;
  await withStackLock(paths, print, async () => {
    const services = stackServices(config, paths).reverse();
    await Promise.all(
      services.map(async (service) => {
        const say = sayFor(print, service.name);
        say(await service.down(say));
      }),
    );
  });
}

/** Each service's state; does not change anything. */
export async function servicesStatus(
  options: Omit<StackOptions, "print"> = {},
): Promise<ServiceState[]> {
  const config = options.config ?? readConfig();
  const paths = options.paths ?? stackPaths();
  return Promise.all(stackServices(config, paths).map((service) => service.status()));
}

/** One aligned line per service: name, state, address, note. */
export function formatStatus(states: ServiceState[]): string[] {
  const addressWidth = Math.max(...states.map((s) => s.address.length)) + 2;
  return states.map((s) =>
    `${s.name.padEnd(NAME_WIDTH)}${s.state.padEnd(11)}${s.address.padEnd(addressWidth)}${s.note}`.trimEnd(),
  );
}
