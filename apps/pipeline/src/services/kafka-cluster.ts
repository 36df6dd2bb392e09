/**
 * A local Kafka 3.9 cluster of three KRaft nodes (each broker and controller,
 * one quorum), from the same jars as the single broker: replication 3 and
 * min.insync.replicas 2 (infra/kafka/cluster-server.properties). Each node runs
 * with a small heap; one may be killed and restarted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@adclick/shared";
import { newClusterId, probeKafka, renderTemplate } from "./kafka-service";
import { runToCompletion } from "./processes";
import { sleep } from "./service";

export interface KafkaClusterNodePorts {
  port: number;
  controllerPort: number;
}

export interface KafkaClusterOptions {
  /** One entry per node (node ids 1…n). */
  nodes: KafkaClusterNodePorts[];
  /** Folder for each node's properties, data and log. */
  dir: string;
  /** The jars (the kafka-libs cache) and the templates of infra/kafka. */
  libDir: string;
  template: string;
  log4j: string;
  /** JVM heap per node, e.g. "384m". */
  heap?: string;
}

export class LocalKafkaCluster {
  private readonly children = new Map<number, ChildProcess>();
  private readonly clusterId = newClusterId();

  constructor(private readonly o: KafkaClusterOptions) {
    if (o.nodes.length < 3) throw new Error("a replicated Kafka cluster needs three nodes");
  }

  /** `host:port,…` of every broker, for KAFKA_BROKERS. */
  get brokers(): string {
    return this.o.nodes.map((n) => `127.0.0.1:${n.port}`).join(",");
  }

  /** The broker port of node `id` (1-based). */
  portOf(id: number): number {
    const node = this.o.nodes[id - 1];
    if (!node) throw new Error(`no Kafka node ${id}`);
    return node.port;
  }

  private nodeDir(id: number): string {
    return join(this.o.dir, `node-${id}`);
  }

  /** Writes and formats every node (same cluster id), starts them together and waits for all. */
  async start(): Promise<void> {
    const voters = this.o.nodes.map((n, i) => `${i + 1}@127.0.0.1:${n.controllerPort}`).join(",");
    const template = readFileSync(this.o.template, "utf8");
    await Promise.all(
      this.o.nodes.map(async (n, i) => {
        const id = i + 1;
        const dir = this.nodeDir(id);
        mkdirSync(join(dir, "data"), { recursive: true });
        writeFileSync(
          join(dir, "server.properties"),
          renderTemplate(template, {
            NODE_ID: id,
            VOTERS: voters,
            PORT: n.port,
            CONTROLLER_PORT: n.controllerPort,
            DATA_DIR: join(dir, "data"),
          }),
        );
        await runToCompletion(
          "java",
          [
            "-Xmx192m",
            "-XX:TieredStopAtLevel=1",
            ...this.logArgs(id),
            "-cp",
            `${this.o.libDir}/*`,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            this.clusterId,
            "-c",
            join(dir, "server.properties"),
          ],
          {
            cwd: dir,
            notInstalled: "java not found on PATH (install a Java 17 runtime)",
            failed: (out) => `kafka storage format of node ${id} failed: ${out.trim()}`,
          },
        );
      }),
    );
    // The quorum forms only once a majority of controllers runs: start them all, then wait.
    for (let id = 1; id <= this.o.nodes.length; id++) this.spawnNode(id);
    await Promise.all(this.o.nodes.map((_, i) => this.waitForNode(i + 1, 120_000)));
  }

  private logArgs(id: number): string[] {
    return [`-Dlog4j.configuration=file:${this.o.log4j}`, `-Dkafka.logs.dir=${this.nodeDir(id)}`];
  }

  private spawnNode(id: number): void {
    const heap = this.o.heap ?? "384m";
    const child = spawn(
      "java",
      [
        "-Xms128m",
        `-Xmx${heap}`,
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:CICompilerCount=1",
        "-Djava.awt.headless=true",
        ...this.logArgs(id),
        "-cp",
        `${this.o.libDir}/*`,
        "kafka.Kafka",
        join(this.nodeDir(id), "server.properties"),
      ],
      { cwd: this.nodeDir(id), stdio: "ignore" },
    );
    child.on("error", () => undefined);
    this.children.set(id, child);
  }

  /** Waits until node `id` serves metadata that lists every running broker. */
  async waitForNode(id: number, timeoutMs = 90_000): Promise<void> {
    const address = `127.0.0.1:${this.portOf(id)}`;
    const config = loadConfig({ KAFKA_BROKERS: address });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const child = this.children.get(id);
      if (!child || child.exitCode !== null)
        throw new Error(`Kafka node ${id} exited (${child?.exitCode}); see ${this.nodeDir(id)}`);
      try {
        await probeKafka(config, address);
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`Kafka node ${id} on ${address} did not come up: ${String(err)}`);
      }
      await sleep(500);
    }
  }

  isRunning(id: number): boolean {
    const child = this.children.get(id);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** kill -9 of node `id`: no controlled shutdown, its partitions' leadership moves on. */
  async kill(id: number): Promise<void> {
    await this.stopNode(id, "SIGKILL");
  }

  /** Starts node `id` again on its data and waits for it. */
  async restart(id: number): Promise<void> {
    if (this.isRunning(id)) return;
    this.spawnNode(id);
    await this.waitForNode(id);
  }

  private async stopNode(id: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(id);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops every node (SIGTERM, SIGKILL after a grace period). */
  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((id) => this.stopNode(id, "SIGTERM")));
  }
}
