import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { likelyCause } from "./java-service";
import { newClusterId, renderTemplate } from "./kafka-service";
import { databaseName, isLoopback } from "./machine-services";
import { stackPaths } from "./paths";
import { isAlive, isOurJavaProcess, stopProcess } from "./processes";
import { formatStatus, stackServices } from "./stack";

describe("templates", () => {
  it("fills every placeholder of the Kafka and s3proxy templates", () => {
    const { infraDir } = stackPaths();
    const kafka = renderTemplate(
      readFileSync(join(infraDir, "kafka", "server.properties"), "utf8"),
      {
        PORT: 9092,
        CONTROLLER_PORT: 9093,
        DATA_DIR: "/tmp/k",
      },
    );
    expect(kafka).toContain("listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
    expect(kafka).not.toMatch(/\{\{[A-Z_]+\}\}/);
    const s3 = renderTemplate(readFileSync(join(infraDir, "s3proxy", "s3proxy.conf"), "utf8"), {
      PORT: 9000,
      IDENTITY: "adclick",
      CREDENTIAL: "secret",
      DATA_DIR: "/tmp/s3",
    });
    expect(s3).toContain("s3proxy.endpoint=http://127.0.0.1:9000");
    expect(s3).toContain("jclouds.filesystem.basedir=/tmp/s3");
  });

  it("refuses a placeholder without a value", () => {
    expect(() => renderTemplate("port={{PORT}}", {})).toThrow("{{PORT}}");
  });
});

describe("newClusterId", () => {
  it("is 22 URL-safe base64 characters that never start with a dash", () => {
    for (let i = 0; i < 200; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe("databaseName", () => {
  it("takes the name from DATABASE_URL and refuses one it cannot quote safely", () => {
    expect(databaseName("postgres://postgres@127.0.0.1:5432/adclick")).toBe("adclick");
    expect(() => databaseName('postgres://h/x";drop')).toThrow("DATABASE_URL");
  });
});

describe("stackServices", () => {
  it("manages local addresses and only checks remote ones", () => {
    const local = stackServices(loadConfig({}));
    expect(local.map((s) => [s.name, s.address])).toEqual([
      ["postgres", "127.0.0.1:5432"],
      ["redis", "127.0.0.1:6379"],
      ["kafka", "127.0.0.1:9092"],
      ["s3proxy", "127.0.0.1:9000"],
    ]);
    expect(isLoopback("127.0.0.1")).toBe(true);
    expect(isLoopback("kafka")).toBe(false);
    const remote = stackServices(loadConfig({ KAFKA_BROKERS: "kafka:29092" }));
    expect(remote[2]!.constructor.name).toBe("ExternalService");
  });
});

describe("formatStatus", () => {
  it("prints one aligned line per service", () => {
    const lines = formatStatus([
      { name: "kafka", state: "up", address: "127.0.0.1:9092", note: "pid 1, started here" },
      { name: "s3proxy", state: "down", address: "127.0.0.1:9000", note: "" },
    ]);
    expect(lines).toEqual([
      "kafka    up         127.0.0.1:9092  pid 1, started here",
      "s3proxy  down       127.0.0.1:9000",
    ]);
  });
});

describe("processes", () => {
  it("does not take a process that is not our java server for ours", () => {
    expect(isOurJavaProcess(process.pid, ["-Dadclick.service=kafka"])).toBe(false);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const child = spawn(
      process.execPath,
      ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    await new Promise((resolve) => child.stdout.once("data", resolve));
    expect(isAlive(child.pid!)).toBe(true);
    expect(await stopProcess(child.pid!, 300)).toBe("killed");
    expect(isAlive(child.pid!)).toBe(false);
  });
});

describe("likelyCause", () => {
  it("picks the most detailed exception message at the end of a log", () => {
    const log = [
      "[2026-01-01 00:00:00,000] ERROR Encountered fatal fault: caught exception (x.Handler)",
      "java.lang.RuntimeException: Received a fatal error while waiting for all of the SocketServer Acceptors to be started",
      "Caused by: java.lang.RuntimeException: Unable to start acceptor for ListenerName(CONTROLLER)",
      "Caused by: org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:9093: Address already in use.",
      "Caused by: java.net.BindException: Address already in use",
    ];
    expect(likelyCause(log)).toBe(
      "Socket server failed to bind to 127.0.0.1:9093: Address already in use.",
    );
    expect(likelyCause(["[t] ERROR Exiting Kafka (kafka.Kafka$)"])).toBe(
      "Exiting Kafka (kafka.Kafka$)",
    );
    expect(likelyCause(["all good"])).toBeNull();
  });
});
