/**
 * docker-compose.yml as a production-like deployment: every pipeline role is
 * its own service running a command the CLI has, with the options it has, on
 * the ops port the code defaults to, health-checked there and scraped there by
 * Prometheus; the ingest runs several replicas behind the load balancer; the
 * cluster profiles are a real three-broker Kafka and a Redis Cluster; every
 * C7 variable is set; the images are multi-stage, non-root, on Node 24.
 * Docker cannot run here, so this reads the files (compose-drift.test.ts
 * covers the engines' versions and settings).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema, loadConfig, OPS_PORTS } from "@adclick/shared";
import { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { registerCommands } from "../commands";
import { stackPaths } from "./paths";

interface ComposeService {
  image?: string;
  build?: { target?: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  profiles?: string[];
  restart?: string;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  networks?: { default?: { ipv4_address?: string } };
}

const { root, infraDir } = stackPaths();
const file = parse(readFileSync(join(root, "docker-compose.yml"), "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
  "x-app-env": Record<string, string>;
  "x-cluster-env": Record<string, string>;
};
const services = file.services;
const service = (name: string): ComposeService => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};
const env = (name: string) =>
  Object.fromEntries(
    Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, String(v)]),
  );
/** `${VAR:-default}` as compose resolves it with nothing exported. */
const resolved = (value: string) => value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1");

/** The pipeline role services and the CLI command and ops port each must run. */
const ROLES = [
  { service: "ingest", command: "ingest", opsPort: OPS_PORTS.ingest },
  { service: "aggregate", command: "aggregate", opsPort: OPS_PORTS.aggregate },
  { service: "archive", command: "archive", opsPort: OPS_PORTS.archive },
  { service: "review-sink", command: "review-sink", opsPort: OPS_PORTS["review-sink"] },
  { service: "scheduler", command: "run", opsPort: OPS_PORTS.run },
] as const;
const ONE_SHOT = new Set(["migrate", "minio-init", "redis-cluster-init"]);

let program: Command;
beforeAll(async () => {
  program = new Command("adclick");
  await registerCommands(program, []);
}, 60_000);

/** The `--option value` pairs of a command line. */
function options(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++)
    if (argv[i]!.startsWith("--")) out.set(argv[i]!, argv[i + 1] ?? "");
  return out;
}

describe("docker-compose.yml roles", () => {
  it.each(ROLES)("$service runs `adclick $command` with options the CLI has", (role) => {
    const argv = service(role.service).command ?? [];
    expect(argv.slice(0, 2)).toEqual(["node", "apps/pipeline/bin/adclick.mjs"]);
    expect(argv[2]).toBe(role.command);
    const cmd = program.commands.find((c) => c.name() === role.command);
    expect(cmd, role.command).toBeDefined();
    const known = new Set(cmd!.options.map((o) => o.long));
    for (const flag of options(argv).keys())
      expect(known.has(flag), `${role.command} ${flag}`).toBe(true);
  });

  it.each(ROLES)(
    "$service serves its ops port $opsPort, is health-checked and scraped there, and restarts",
    (role) => {
      const s = service(role.service);
      expect(options(s.command ?? []).get("--ops-port")).toBe(String(role.opsPort));
      expect(s.healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${role.opsPort}/readyz`);
      expect(s.restart).toBe("unless-stopped");
      expect(s.ports ?? [], "roles publish no host port (metrics are not public)").toEqual([]);
      const prometheus = parse(
        readFileSync(join(infraDir, "prometheus", "prometheus.yml"), "utf8"),
      ) as { scrape_configs: Array<{ dns_sd_configs?: Array<{ names: string[]; port: number }> }> };
      const targets = prometheus.scrape_configs.flatMap((c) =>
        (c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      );
      expect(targets).toContain(`${role.service}:${role.opsPort}`);
    },
  );

  it("runs the nightly batch and reconciliation as the schedule role alone", () => {
    const argv = service("scheduler").command ?? [];
    expect(options(argv).get("--roles")).toBe("schedule");
  });

  it("puts several ingest replicas behind a load balancer the ingest trusts", () => {
    expect(service("ingest").deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(service("aggregate").deploy?.replicas).toBeGreaterThanOrEqual(2);
    const lb = service("ingest-lb");
    const lbAddress = lb.networks?.default?.ipv4_address;
    expect(env("ingest").INGEST_TRUSTED_PROXIES).toBe(lbAddress);
    const conf = readFileSync(join(infraDir, "nginx", "ingest-lb.conf"), "utf8");
    const port = loadConfig({ INGEST_PORT: resolved(env("ingest").INGEST_PORT!) }).INGEST_PORT;
    expect(conf).toContain(`http://ingest:${port}`);
    expect(lb.ports).toEqual([`${port}:${port}`]);
  });

  it("serves the dashboard's metrics on WEB_OPS_PORT, health-checked and scraped there", () => {
    const port = env("web").WEB_OPS_PORT;
    expect(Number(port)).toBe(OPS_PORTS.web);
    expect(service("web").healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${port}/`);
    const prometheus = readFileSync(join(infraDir, "prometheus", "prometheus.yml"), "utf8");
    expect(prometheus).toMatch(new RegExp(`names: \\[web\\]\\s+type: A\\s+port: ${port}`));
  });

  it("gives every long-running service a health check and a restart policy", () => {
    for (const [name, s] of Object.entries(services)) {
      if (ONE_SHOT.has(name)) {
        expect(["no", "on-failure"], name).toContain(s.restart);
        continue;
      }
      expect(s.healthcheck?.test.length, `${name} has no healthcheck`).toBeGreaterThan(0);
      expect(s.restart, name).toBe("unless-stopped");
    }
  });

  it("sets every C7 variable, and only variables the configuration knows", () => {
    const c7 = [
      "KAFKA_BROKERS",
      "REDIS_URL",
      "DATABASE_URL",
      "LAKE_URL",
      "S3_ENDPOINT",
      "S3_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "INGEST_PORT",
      "WEB_PORT",
      "KAFKA_TOPIC_PREFIX",
      "REDIS_CLUSTER_NODES",
    ];
    const appEnv = file["x-app-env"];
    expect(c7.filter((k) => !(k in appEnv))).toEqual([]);
    // REDIS_CLUSTER_NODES is C7's even before this checkout's schema reads it.
    const known = new Set([...Object.keys(ConfigSchema.shape), "REDIS_CLUSTER_NODES"]);
    expect(Object.keys(appEnv).filter((k) => !known.has(k))).toEqual([]);
  });

  it("points the apps at the cluster profiles with x-cluster-env", () => {
    const cluster = file["x-cluster-env"];
    const brokers = ["kafka-1", "kafka-2", "kafka-3"];
    for (const b of brokers) expect(service(b).profiles).toEqual(["kafka-cluster"]);
    const config = loadConfig({
      KAFKA_BROKERS: cluster.KAFKA_BROKERS,
      KAFKA_REPLICATION_FACTOR: cluster.KAFKA_REPLICATION_FACTOR,
    });
    expect(config.KAFKA_BROKERS).toEqual(brokers.map((b) => `${b}:29092`));
    expect(config.KAFKA_REPLICATION_FACTOR).toBe(3);
    const nodes = cluster.REDIS_CLUSTER_NODES!.split(",");
    expect(nodes.length).toBe(3);
    for (const node of nodes) {
      const [host, port] = node.split(":");
      expect(service(host!).profiles).toEqual(["redis-cluster"]);
      expect(service(host!).command?.join(" ")).toContain(`--port ${port}`);
    }
    // Every variable the apps read from the environment can be overridden this way.
    for (const key of Object.keys(cluster))
      expect(file["x-app-env"][key], key).toMatch(new RegExp(`^\\$\\{${key}:-`));
  });

  it("runs a three-broker KRaft cluster with replication 3 and min.insync.replicas 2", () => {
    const voters = ["kafka-1", "kafka-2", "kafka-3"].map((b, i) => {
      const e = env(b);
      expect(e.KAFKA_NODE_ID).toBe(String(i + 1));
      expect(e.KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${b}:29092`);
      expect(e.KAFKA_DEFAULT_REPLICATION_FACTOR).toBe("3");
      expect(e.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe("3");
      expect(e.KAFKA_MIN_INSYNC_REPLICAS).toBe("2");
      expect(e.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe("false");
      return e.KAFKA_CONTROLLER_QUORUM_VOTERS;
    });
    expect(new Set(voters)).toEqual(new Set(["1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093"]));
  });

  it("joins six cluster-enabled Redis nodes as three masters with a replica each", () => {
    const nodes = Object.keys(services).filter((n) => /^redis-node-\d$/.test(n));
    expect(nodes.length).toBe(6);
    for (const n of nodes) expect(service(n).command?.join(" ")).toContain("--cluster-enabled yes");
    const init = (service("redis-cluster-init").entrypoint ?? []).join(" ");
    expect(init).toContain("--cluster-replicas 1");
    for (const n of nodes) expect(init).toContain(`${n}:6379`);
  });
});

describe("infra/docker/Dockerfile", () => {
  const dockerfile = readFileSync(join(infraDir, "docker", "Dockerfile"), "utf8");
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({
    image: m[1]!,
    stage: m[2],
  }));

  it("builds in stages on Node 24, the current LTS", () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const f of froms) expect(f.image, f.stage).toMatch(/^(node:24-|deps$|runtime$|build$)/);
  });

  it("has the targets compose builds, and runs them as a non-root user", () => {
    const stages = new Set(froms.map((f) => f.stage));
    for (const s of Object.values(services))
      if (s.build?.target) expect(stages.has(s.build.target), s.build.target).toBe(true);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it("builds the dashboard and checks the pipeline at image build time", () => {
    expect(dockerfile).toContain("npm run -w @adclick/web build");
    expect(dockerfile).toContain("npx tsc --noEmit -p apps/pipeline");
  });
});
