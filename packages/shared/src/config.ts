import { z } from "zod";

const hostPort = /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/;

const port = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1 || n > 65535) {
        ctx.addIssue({
          code: "custom",
          message: `${name}: expected a port 1-65535, got "${value}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const positiveInt = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      if (!/^\d+$/.test(value) || Number(value) < 1) {
        ctx.addIssue({
          code: "custom",
          message: `${name}: expected a positive integer, got "${value}"`,
        });
        return z.NEVER;
      }
      return Number(value);
    });

const url = (name: string, fallback: string, protocols: string[]) =>
  z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `${name}: expected a URL like ${fallback}, got "${value}"`,
        });
        return;
      }
      if (!protocols.includes(parsed.protocol)) {
        ctx.addIssue({
          code: "custom",
          message: `${name}: expected a ${protocols.join(" or ")} URL, got "${value}"`,
        });
      }
    });

/**
 * Every setting the product reads (C7), with defaults that point at the local
 * stack that `adclick services up` starts.
 */
export const ConfigSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default("127.0.0.1:9092")
    .transform((value, ctx) => {
      const brokers = value.split(",").map((b) => b.trim());
      if (!value.trim() || brokers.some((b) => !hostPort.test(b))) {
        ctx.addIssue({
          code: "custom",
          message: `KAFKA_BROKERS: expected host:port[,host:port], got "${value}"`,
        });
        return z.NEVER;
      }
      return brokers;
    }),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .default("")
    .refine((v) => /^[A-Za-z0-9._-]*$/.test(v), {
      error: (issue) =>
        `KAFKA_TOPIC_PREFIX: only A-Z a-z 0-9 . _ - are allowed, got "${issue.input}"`,
    }),
  KAFKA_TOPIC_PARTITIONS: positiveInt("KAFKA_TOPIC_PARTITIONS", 8),
  KAFKA_REPLICATION_FACTOR: positiveInt("KAFKA_REPLICATION_FACTOR", 1),
  KAFKA_RETENTION_HOURS: positiveInt("KAFKA_RETENTION_HOURS", 168),
  REDIS_URL: url("REDIS_URL", "redis://127.0.0.1:6379/0", ["redis:", "rediss:"]),
  /**
   * Seed nodes of a Redis Cluster (`host:port,host:port…`). When set, every use
   * of Redis goes to the cluster instead of REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return null;
      const nodes = value
        .split(",")
        .map((n) => n.trim())
        .filter(Boolean);
      const bad = nodes.find((n) => !hostPort.test(n));
      if (nodes.length === 0 || bad !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `REDIS_CLUSTER_NODES: expected host:port[,host:port], got "${value}"`,
        });
        return z.NEVER;
      }
      return nodes.map((n) => {
        const colon = n.lastIndexOf(":");
        return {
          host: n.slice(0, colon).replace(/^\[|\]$/g, ""),
          port: Number(n.slice(colon + 1)),
        };
      });
    }),
  DATABASE_URL: url("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/adclick", [
    "postgres:",
    "postgresql:",
  ]),
  LAKE_URL: url("LAKE_URL", "file://./data/lake", ["file:", "s3:"]),
  S3_ENDPOINT: z
    .string()
    .default("http://127.0.0.1:9000")
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v), {
      error: (issue) =>
        `S3_ENDPOINT: expected an http(s) URL like http://127.0.0.1:9000, got "${issue.input}"`,
    }),
  S3_REGION: z.string().min(1, { error: "S3_REGION: must not be empty" }).default("us-east-1"),
  AWS_ACCESS_KEY_ID: z.string().default("adclick"),
  AWS_SECRET_ACCESS_KEY: z.string().default("adclick-local-secret"),
  INGEST_PORT: port("INGEST_PORT", 8080),
  WEB_PORT: port("WEB_PORT", 3000),
  /** The dashboard's ops port: /metrics and /healthz, apart from the public WEB_PORT. */
  WEB_OPS_PORT: port("WEB_OPS_PORT", 9467),
  /** Secret for click-redirect tokens and web sessions; the local default is for development only. */
  APP_SECRET: z
    .string()
    .default("adclick-local-development-secret-change-me")
    .refine((v) => v.length >= 16, { error: "APP_SECRET: must be at least 16 characters" }),
  LOG_LEVEL: z
    .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
      error: (issue) =>
        `LOG_LEVEL: expected trace|debug|info|warn|error|fatal|silent, got "${issue.input}"`,
    })
    .default("info"),
  /** UTC time of day (HH:MM) at which `adclick run` bills the previous day; reconciliation follows. */
  BATCH_AT: z
    .string()
    .default("02:00")
    .refine((v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), {
      error: (issue) => `BATCH_AT: expected HH:MM (UTC, 24-hour), got "${issue.input}"`,
    }),
  /** Load balancers whose X-Forwarded-For the ingest believes: comma-separated IPs or CIDRs. */
  INGEST_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const entries = value
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = entries.find((e) => !isIpOrCidr(e));
      if (bad) {
        ctx.addIssue({
          code: "custom",
          message: `INGEST_TRUSTED_PROXIES: expected IPs or CIDRs separated by commas, got "${bad}"`,
        });
        return z.NEVER;
      }
      return entries;
    }),
});

function isIpOrCidr(entry: string): boolean {
  const [address = "", bits, extra] = entry.split("/");
  if (extra !== undefined) return false;
  const v4 = z.ipv4().safeParse(address).success;
  const v6 = !v4 && z.ipv6().safeParse(address).success;
  if (!v4 && !v6) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128);
}
export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and validates the configuration once at start. Empty strings count as
 * unset so `FOO= adclick …` falls back to the default. Throws a ConfigError whose
 * message names every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = ConfigSchema.safeParse(picked);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => i.message).join("; "));
  }
  return result.data;
}

/** The lake location parsed from LAKE_URL. */
export type LakeLocation =
  | { kind: "file"; root: string }
  | { kind: "s3"; bucket: string; prefix: string };

export function parseLakeUrl(lakeUrl: string, cwd: string): LakeLocation {
  const u = new URL(lakeUrl);
  if (u.protocol === "file:") {
    // file://./data/lake is relative to the working directory; file:///abs is absolute.
    const raw = lakeUrl.slice("file://".length);
    const path = raw.startsWith("/")
      ? raw
      : `${cwd.replace(/\/$/, "")}/${raw.replace(/^\.\//, "")}`;
    return { kind: "file", root: path.replace(/\/$/, "") };
  }
  if (!u.hostname) throw new ConfigError(`LAKE_URL: expected s3://bucket/prefix, got "${lakeUrl}"`);
  return {
    kind: "s3",
    bucket: u.hostname,
    prefix: u.pathname.replace(/^\//, "").replace(/\/$/, ""),
  };
}
