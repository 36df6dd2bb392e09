import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ConfigSchema } from "@adclick/shared";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/adclick.mjs", import.meta.url));

/** A bad value of every validated variable (C7), and the start of the message naming it. */
const BAD: Record<string, [value: string, message: string]> = {
  KAFKA_BROKERS: ["kafka", 'KAFKA_BROKERS: expected host:port[,host:port], got "kafka"'],
  KAFKA_TOPIC_PREFIX: ["a b", 'KAFKA_TOPIC_PREFIX: only A-Z a-z 0-9 . _ - are allowed, got "a b"'],
  KAFKA_TOPIC_PARTITIONS: ["0", 'KAFKA_TOPIC_PARTITIONS: expected a positive integer, got "0"'],
  KAFKA_REPLICATION_FACTOR: ["x", 'KAFKA_REPLICATION_FACTOR: expected a positive integer, got "x"'],
  KAFKA_RETENTION_HOURS: ["-1", 'KAFKA_RETENTION_HOURS: expected a positive integer, got "-1"'],
  REDIS_URL: ["http://127.0.0.1:6379", "REDIS_URL: expected a redis: or rediss: URL"],
  REDIS_CLUSTER_NODES: [
    "127.0.0.1:7000,redis",
    'REDIS_CLUSTER_NODES: expected host:port[,host:port], got "127.0.0.1:7000,redis"',
  ],
  DATABASE_URL: ["not a url", "DATABASE_URL: expected a URL like postgres://"],
  LAKE_URL: ["ftp://host/lake", "LAKE_URL: expected a file: or s3: URL"],
  S3_ENDPOINT: ["127.0.0.1:9000", "S3_ENDPOINT: expected an http(s) URL"],
  INGEST_PORT: ["70000", 'INGEST_PORT: expected a port 1-65535, got "70000"'],
  WEB_PORT: ["web", 'WEB_PORT: expected a port 1-65535, got "web"'],
  WEB_OPS_PORT: ["0", 'WEB_OPS_PORT: expected a port 1-65535, got "0"'],
  APP_SECRET: ["short", "APP_SECRET: must be at least 16 characters"],
  LOG_LEVEL: ["loud", 'LOG_LEVEL: expected trace|debug|info|warn|error|fatal|silent, got "loud"'],
  BATCH_AT: ["2:00", 'BATCH_AT: expected HH:MM (UTC, 24-hour), got "2:00"'],
  INGEST_TRUSTED_PROXIES: [
    "10.0.0.1,nope",
    'INGEST_TRUSTED_PROXIES: expected IPs or CIDRs separated by commas, got "nope"',
  ],
};
/** Variables any non-empty string is valid for (an empty one means the default). */
const FREE_FORM = ["S3_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

function adclick(env: Record<string, string>) {
  // reconcile reads the configuration before anything else; an old day compares nothing.
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "reconcile", "--date", "2026-01-01"], {
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("configuration validated at start, through adclick (C7)", () => {
  it("has a bad-value case for every variable that can be invalid", () => {
    expect(Object.keys(ConfigSchema.shape).sort()).toEqual(
      [...Object.keys(BAD), ...FREE_FORM].sort(),
    );
  });

  describe.concurrent("a bad value exits 1 with one line naming the variable", () => {
    for (const [name, [value, message]] of Object.entries(BAD)) {
      it(`${name}=${value}`, async () => {
        const r = await adclick({ [name]: value });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        const lines = r.stderr.split("\n").filter(Boolean);
        expect(lines).toHaveLength(1);
        expect(lines[0]!.startsWith(`adclick: ${message}`)).toBe(true);
      }, 120_000);
    }
  });
});
