/**
 * Apache Kafka 3.9 in KRaft combined mode (one process is broker and
 * controller), run from the jars infra/kafka/pom.xml pulls from Maven Central.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "@adclick/shared";
import { createKafka } from "../kafka/client";
import { JavaService } from "./java-service";
import type { StackPaths } from "./paths";
import { runToCompletion } from "./processes";
import type { Say } from "./service";

export interface KafkaServiceOptions {
  config: Config;
  paths: StackPaths;
  host: string;
  port: number;
}

/** The files a local broker uses, all under the checkout. */
export function kafkaFiles(paths: StackPaths) {
  return {
    pom: join(paths.infraDir, "kafka", "pom.xml"),
    template: join(paths.infraDir, "kafka", "server.properties"),
    log4j: join(paths.infraDir, "kafka", "log4j.properties"),
    libDir: join(paths.cacheDir, "kafka-libs"),
    dataDir: join(paths.dataDir, "kafka"),
    properties: join(paths.confDir, "kafka.properties"),
    logFile: join(paths.logDir, "kafka.log"),
  };
}

/** Fills the {{…}} placeholders of a template; every placeholder must have a value. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template placeholder {{${key}}} has no value`);
    return String(value);
  });
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, never starting with "-". */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** Answers when the broker serves metadata, not merely when its port is open. */
export async function probeKafka(config: Config, address: string): Promise<string> {
  const kafka = createKafka(
    { ...config, KAFKA_BROKERS: [address] },
    "adclick-services",
    undefined,
    {
      connectionTimeout: 1_000,
      requestTimeout: 3_000,
      retry: { retries: 0 },
    },
  );
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error("no brokers registered yet");
    return `cluster ${cluster.clusterId}`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function kafkaService({ config, paths, host, port }: KafkaServiceOptions): JavaService {
  const files = kafkaFiles(paths);
  const controllerPort = port + 1;
  const java = [
    "-Xms256m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-Djava.awt.headless=true",
    `-Dkafka.logs.dir=${paths.logDir}`,
    `-Dlog4j.configuration=file:${files.log4j}`,
  ];
  return new JavaService({
    name: "kafka",
    label: "Kafka broker",
    host,
    port,
    paths,
    pom: files.pom,
    libDir: files.libDir,
    mainClass: "kafka.Kafka",
    jvmArgs: java,
    mainArgs: [files.properties],
    logFile: files.logFile,
    startTimeoutMs: 90_000,
    stopGraceMs: 30_000,
    probe: () => probeKafka(config, `${host}:${port}`),
    async prepare(say: Say) {
      const properties = renderTemplate(readFileSync(files.template, "utf8"), {
        PORT: port,
        CONTROLLER_PORT: controllerPort,
        DATA_DIR: files.dataDir,
      });
      writeFileSync(files.properties, properties);
      mkdirSync(files.dataDir, { recursive: true });
      if (existsSync(join(files.dataDir, "meta.properties"))) return;
      say(`formatting storage in data/kafka (first run only) …`);
      await runJava(
        [
          "-Xmx256m",
          "-XX:TieredStopAtLevel=1",
          `-Dkafka.logs.dir=${paths.logDir}`,
          `-Dlog4j.configuration=file:${files.log4j}`,
          "-cp",
          `${files.libDir}/*`,
          "kafka.tools.StorageTool",
          "format",
          "-t",
          newClusterId(),
          "-c",
          files.properties,
        ],
        paths.root,
      );
    },
  });
}

/** Runs a short-lived java command; rejects with its output when it fails. */
function runJava(args: string[], cwd: string): Promise<string> {
  return runToCompletion("java", args, {
    cwd,
    notInstalled: "java not found on PATH (install a Java 17 runtime)",
    failed: (output) => `kafka storage format failed: ${output.trim().split("\n").pop()}`,
  });
}
