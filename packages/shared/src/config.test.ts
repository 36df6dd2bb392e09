import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseLakeUrl } from "./config";

describe("loadConfig", () => {
  it("defaults to the local stack", () => {
    const c = loadConfig({});
    expect(c.KAFKA_BROKERS).toEqual(["127.0.0.1:9092"]);
    expect(c.INGEST_PORT).toBe(8080);
    expect(c.WEB_PORT).toBe(3000);
    expect(c.WEB_OPS_PORT).toBe(9467);
    expect(c.LAKE_URL).toBe("file://./data/lake");
    expect(c.KAFKA_TOPIC_PREFIX).toBe("");
  });

  it("reads trusted proxies as a list of IPs and CIDRs", () => {
    expect(loadConfig({}).INGEST_TRUSTED_PROXIES).toEqual([]);
    expect(
      loadConfig({ INGEST_TRUSTED_PROXIES: "10.0.0.0/8, 2001:db8::1" }).INGEST_TRUSTED_PROXIES,
    ).toEqual(["10.0.0.0/8", "2001:db8::1"]);
  });

  it("reads Redis Cluster seed nodes, none by default", () => {
    expect(loadConfig({}).REDIS_CLUSTER_NODES).toBeNull();
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: "127.0.0.1:7000, redis-b:7001,[::1]:7002" })
        .REDIS_CLUSTER_NODES,
    ).toEqual([
      { host: "127.0.0.1", port: 7000 },
      { host: "redis-b", port: 7001 },
      { host: "::1", port: 7002 },
    ]);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ INGEST_PORT: "" }).INGEST_PORT).toBe(8080);
  });

  it.each([
    [
      "KAFKA_BROKERS",
      "localhost",
      'KAFKA_BROKERS: expected host:port[,host:port], got "localhost"',
    ],
    ["INGEST_PORT", "80a", "INGEST_PORT: expected a port"],
    ["WEB_PORT", "70000", "WEB_PORT: expected a port"],
    ["REDIS_URL", "http://x", "REDIS_URL: expected a redis: or rediss: URL"],
    ["DATABASE_URL", "nonsense", "DATABASE_URL: expected a URL"],
    ["LAKE_URL", "ftp://x/y", "LAKE_URL"],
    ["S3_ENDPOINT", "127.0.0.1:9000", "S3_ENDPOINT"],
    ["KAFKA_TOPIC_PREFIX", "a b", "KAFKA_TOPIC_PREFIX"],
    ["INGEST_TRUSTED_PROXIES", "10.0.0.0/33", "INGEST_TRUSTED_PROXIES"],
    ["INGEST_TRUSTED_PROXIES", "10.0.0.1,lb.internal", 'got "lb.internal"'],
    [
      "REDIS_CLUSTER_NODES",
      "127.0.0.1:7000,redis-b",
      'REDIS_CLUSTER_NODES: expected host:port[,host:port], got "127.0.0.1:7000,redis-b"',
    ],
    ["REDIS_CLUSTER_NODES", " , ", "REDIS_CLUSTER_NODES: expected host:port"],
  ])("names the bad variable %s", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("reports every bad variable at once", () => {
    expect(() => loadConfig({ INGEST_PORT: "x", WEB_PORT: "y" })).toThrow(/INGEST_PORT.*WEB_PORT/);
  });
});

describe("parseLakeUrl", () => {
  it("resolves relative file URLs against the working directory", () => {
    expect(parseLakeUrl("file://./data/lake", "/srv/app")).toEqual({
      kind: "file",
      root: "/srv/app/data/lake",
    });
    expect(parseLakeUrl("file:///var/lake/", "/srv")).toEqual({ kind: "file", root: "/var/lake" });
  });

  it("splits S3 URLs into bucket and prefix", () => {
    expect(parseLakeUrl("s3://lake/prod/", "/")).toEqual({
      kind: "s3",
      bucket: "lake",
      prefix: "prod",
    });
  });
});
