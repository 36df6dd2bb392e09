/**
 * A Kafka broker of the test's own (KRaft combined mode, the stack's jars and
 * server.properties template, its own ports and data directory), so a test can
 * stop and restart a broker without touching the shared one on 9092.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@adclick/shared";
import {
  kafkaFiles,
  newClusterId,
  probeKafka,
  renderTemplate,
} from "../apps/pipeline/src/services/kafka-service";
import { ensureJars } from "../apps/pipeline/src/services/maven";
import { stackPaths } from "../apps/pipeline/src/services/paths";
import { runToCompletion } from "../apps/pipeline/src/services/processes";
import { freePort, REPO_ROOT, waitFor, waitForExit } from "./processes";

export interface OwnKafka {
  /** host:port for KAFKA_BROKERS. */
  address: string;
  start(): Promise<void>;
  /** SIGTERM (a controlled shutdown) and waits for the exit. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

async function twoFreePorts(): Promise<[number, number]> {
  for (;;) {
    const a = await freePort();
    const b = await freePort();
    if (a !== b) return [a, b];
  }
}

export async function startOwnKafka(): Promise<OwnKafka> {
  const files = kafkaFiles(stackPaths(REPO_ROOT));
  await ensureJars(files.pom, files.libDir);
  const [port, controllerPort] = await twoFreePorts();
  const dir = mkdtempSync(join(tmpdir(), "adclick-test-kafka-"));
  const dataDir = join(dir, "data");
  mkdirSync(dataDir);
  const properties = join(dir, "server.properties");
  const template = readFileSync(files.template, "utf8");
  writeFileSync(
    properties,
    renderTemplate(template, { PORT: port, CONTROLLER_PORT: controllerPort, DATA_DIR: dataDir }),
  );
  const log4j = [`-Dlog4j.configuration=file:${files.log4j}`, `-Dkafka.logs.dir=${dir}`];
  await runToCompletion(
    "java",
    [
      "-Xmx256m",
      "-XX:TieredStopAtLevel=1",
      ...log4j,
      "-cp",
      `${files.libDir}/*`,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      newClusterId(),
      "-c",
      properties,
    ],
    {
      cwd: dir,
      notInstalled: "java not found on PATH",
      failed: (out) => `kafka storage format failed: ${out}`,
    },
  );
  const address = `127.0.0.1:${port}`;
  const config = loadConfig({ KAFKA_BROKERS: address });
  let child: ChildProcess | null = null;

  const broker: OwnKafka = {
    address,
    async start() {
      child = spawn(
        "java",
        [
          "-Xms128m",
          "-Xmx512m",
          "-XX:+UseG1GC",
          "-XX:TieredStopAtLevel=1",
          "-Djava.awt.headless=true",
          ...log4j,
          "-cp",
          `${files.libDir}/*`,
          "kafka.Kafka",
          properties,
        ],
        { cwd: dir, stdio: "ignore" },
      );
      const started = child;
      await waitFor(
        `the test's own Kafka broker on ${address}`,
        async () => {
          if (started.exitCode !== null) throw new Error(`broker exited with ${started.exitCode}`);
          await probeKafka(config, address);
          return true;
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const stopping = child;
      stopping.kill("SIGTERM");
      const timer = setTimeout(() => stopping.kill("SIGKILL"), 30_000);
      await waitForExit(stopping);
      clearTimeout(timer);
    },
    async destroy() {
      await broker.stop();
      if (!dir.includes("adclick-test-kafka-")) throw new Error(`refusing to delete ${dir}`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
