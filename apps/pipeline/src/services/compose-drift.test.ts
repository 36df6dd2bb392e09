/**
 * docker-compose.yml describes the same stack as `adclick services up`. This
 * keeps the two from drifting: every local service has its compose counterpart
 * on the same port, Kafka runs the same version with the same settings, and the
 * apps' environment is valid C7 configuration pointing at those services.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema, loadConfig, parseLakeUrl } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackPaths } from "./paths";
import { LAKE_BUCKET, LOCAL_SERVICES } from "./stack";

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string | number | boolean>;
  volumes?: string[];
  entrypoint?: string[];
  command?: string[];
}

const { root, infraDir } = stackPaths();
const compose = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const defaults = loadConfig({});

function service(name: string): ComposeService {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** A service's environment as compose resolves it with nothing exported (`${VAR:-default}` → default; empty → unset). */
function env(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service(name).environment ?? {})
      .map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1")] as const)
      .filter(([, v]) => v !== ""),
  );
}

/** Host ports a compose service publishes ("9092:9092" → 9092). */
function hostPorts(name: string): number[] {
  return (service(name).ports ?? []).map((p) => Number(String(p).split(":").at(-2)));
}

/** key=value lines of a .properties file. */
function properties(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

describe("docker-compose.yml", () => {
  it.each(LOCAL_SERVICES)(
    "has a counterpart for $name on port $port",
    ({ composeService, port }) => {
      expect(hostPorts(composeService)).toContain(port);
    },
  );

  it("publishes the ports the C7 defaults point at", () => {
    const kafkaPort = Number(defaults.KAFKA_BROKERS[0]!.split(":").at(-1));
    expect(LOCAL_SERVICES.find((s) => s.name === "kafka")?.port).toBe(kafkaPort);
    expect(LOCAL_SERVICES.find((s) => s.name === "s3proxy")?.port).toBe(
      Number(new URL(defaults.S3_ENDPOINT).port),
    );
    expect(LOCAL_SERVICES.find((s) => s.name === "redis")?.port).toBe(
      Number(new URL(defaults.REDIS_URL).port),
    );
    expect(LOCAL_SERVICES.find((s) => s.name === "postgres")?.port).toBe(
      Number(new URL(defaults.DATABASE_URL).port),
    );
  });

  it("runs the Kafka version infra/kafka/pom.xml pins", () => {
    const pom = readFileSync(join(infraDir, "kafka", "pom.xml"), "utf8");
    const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
    expect(version).toMatch(/^3\.9\.\d+$/);
    expect(service("kafka").image).toBe(`apache/kafka:${version}`);
  });

  it("configures Kafka like infra/kafka/server.properties", () => {
    const template = properties(join(infraDir, "kafka", "server.properties"));
    const kafkaEnv = env("kafka");
    // Addresses and paths differ by design (container network, volumes).
    const local = new Set([
      "listeners",
      "advertised.listeners",
      "controller.quorum.voters",
      "listener.security.protocol.map",
      "log.dirs",
    ]);
    const settings = Object.entries(template).filter(([key]) => !local.has(key));
    expect(settings.length).toBeGreaterThan(10);
    for (const [key, value] of settings) {
      const envKey = `KAFKA_${key.toUpperCase().replace(/\./g, "_")}`;
      expect({ [envKey]: kafkaEnv[envKey] }).toEqual({ [envKey]: value });
    }
    expect(template["auto.create.topics.enable"]).toBe("false");
    expect(template["group.initial.rebalance.delay.ms"]).toBe("0");
  });

  it("gives the S3 server the C7 credentials and creates the lake bucket", () => {
    const minio = env("minio");
    expect(minio.MINIO_ROOT_USER).toBe(defaults.AWS_ACCESS_KEY_ID);
    expect(minio.MINIO_ROOT_PASSWORD).toBe(defaults.AWS_SECRET_ACCESS_KEY);
    const init = (service("minio-init").entrypoint ?? []).join(" ");
    expect(init).toContain(`${defaults.AWS_ACCESS_KEY_ID} ${defaults.AWS_SECRET_ACCESS_KEY}`);
    expect(init).toContain(`/${LAKE_BUCKET}`);
  });

  it("creates the database DATABASE_URL names", () => {
    const dbName = new URL(defaults.DATABASE_URL).pathname.slice(1);
    expect(env("postgres").POSTGRES_DB).toBe(dbName);
    expect(env("postgres").POSTGRES_USER).toBe(new URL(defaults.DATABASE_URL).username);
  });

  it.each(["ingest", "aggregate", "archive", "review-sink", "scheduler", "web"])(
    "builds %s from the repo with valid C7 configuration",
    (name) => {
      const s = service(name);
      expect(s.build).toBeDefined();
      const appEnv = env(name);
      const known = new Set(Object.keys(ConfigSchema.shape));
      expect(Object.keys(appEnv).filter((k) => !known.has(k))).toEqual([]);
      const config = loadConfig(appEnv);

      expect(config.KAFKA_BROKERS).toEqual(["kafka:29092"]);
      expect(env("kafka").KAFKA_ADVERTISED_LISTENERS).toContain("PLAINTEXT://kafka:29092");
      const redis = new URL(config.REDIS_URL);
      expect([redis.hostname, Number(redis.port)]).toEqual(["redis", 6379]);
      const db = new URL(config.DATABASE_URL);
      expect([db.hostname, Number(db.port), db.pathname]).toEqual([
        "postgres",
        5432,
        new URL(defaults.DATABASE_URL).pathname,
      ]);
      const s3 = new URL(config.S3_ENDPOINT);
      expect([s3.hostname, Number(s3.port)]).toEqual(["minio", 9000]);
      expect(config.AWS_ACCESS_KEY_ID).toBe(defaults.AWS_ACCESS_KEY_ID);
      expect(config.AWS_SECRET_ACCESS_KEY).toBe(defaults.AWS_SECRET_ACCESS_KEY);
      const lake = parseLakeUrl(config.LAKE_URL, "/app");
      expect(lake.kind === "s3" && lake.bucket).toBe(LAKE_BUCKET);
    },
  );

  it("publishes the ingest (through its load balancer) and web ports and lets Prometheus scrape the roles", () => {
    expect(hostPorts("ingest-lb")).toContain(defaults.INGEST_PORT);
    expect(hostPorts("web")).toContain(defaults.WEB_PORT);
    const prometheus = parse(
      readFileSync(join(infraDir, "prometheus", "prometheus.yml"), "utf8"),
    ) as {
      scrape_configs: Array<{
        job_name: string;
      }>;
    };
    expect(prometheus.scrape_configs.length).toBeGreaterThan(4);
    expect(service("prometheus").volumes).toContain(
      "./infra/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
    );
  });
});
