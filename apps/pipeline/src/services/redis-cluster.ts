/**
 * A local Redis Cluster from the machine's `redis-server`: masters and their
 * replicas on ports of their own (each with its own cluster bus port), joined by
 * `redis-cli --cluster create`. Nothing is persisted; the folder holds only the
 * nodes' cluster configuration files and logs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { runToCompletion } from "./processes";
import { sleep } from "./service";

export interface RedisClusterNodePorts {
  /** Client port. */
  port: number;
  /** Cluster bus port (gossip between nodes). */
  busPort: number;
}

export interface RedisClusterOptions {
  /** One entry per node: the first `masters` become masters, the rest their replicas. */
  nodes: RedisClusterNodePorts[];
  /** How many of the nodes are masters (the others are spread over them as replicas). */
  masters: number;
  /** Folder for the nodes' cluster configuration files and logs. */
  dir: string;
  /** How long a master may be unreachable before its replica takes over (ms). */
  nodeTimeoutMs?: number;
  /** Memory cap per node (redis-server's maxmemory, e.g. "128mb"). */
  maxMemory?: string;
  host?: string;
}

export interface ClusterNodeInfo {
  port: number;
  role: "master" | "replica";
  /** Whether this node's process is running. */
  running: boolean;
}

export class LocalRedisCluster {
  private readonly host: string;
  private readonly children = new Map<number, ChildProcess>();

  constructor(private readonly o: RedisClusterOptions) {
    if (o.masters < 3) throw new Error("a Redis Cluster needs at least three masters");
    if (o.nodes.length < o.masters) throw new Error("fewer nodes than masters");
    if ((o.nodes.length - o.masters) % o.masters !== 0)
      throw new Error("replicas must spread evenly over the masters");
    this.host = o.host ?? "127.0.0.1";
  }

  /** `host:port,…` of every node, for REDIS_CLUSTER_NODES. */
  get seedNodes(): string {
    return this.o.nodes.map((n) => `${this.host}:${n.port}`).join(",");
  }

  /** Starts every node, creates the cluster, and waits until it serves every slot with its replicas in sync. */
  async start(): Promise<void> {
    mkdirSync(this.o.dir, { recursive: true });
    for (const n of this.o.nodes) this.startNode(n);
    await Promise.all(this.o.nodes.map((n) => this.waitForPing(n.port, 20_000)));
    const replicas = (this.o.nodes.length - this.o.masters) / this.o.masters;
    await runToCompletion(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...this.o.nodes.map((n) => `${this.host}:${n.port}`),
        "--cluster-replicas",
        String(replicas),
        "--cluster-yes",
      ],
      {
        cwd: this.o.dir,
        notInstalled: "redis-cli not found on PATH (install the redis-tools package)",
        failed: (out) => `redis-cli --cluster create failed: ${out.trim().split("\n").pop()}`,
      },
    );
    await this.waitUntilHealthy(60_000);
  }

  private startNode(n: RedisClusterNodePorts): void {
    const args = [
      "--port",
      String(n.port),
      "--bind",
      this.host,
      "--cluster-enabled",
      "yes",
      "--cluster-port",
      String(n.busPort),
      "--cluster-config-file",
      join(this.o.dir, `nodes-${n.port}.conf`),
      "--cluster-node-timeout",
      String(this.o.nodeTimeoutMs ?? 2000),
      "--dir",
      this.o.dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--maxmemory",
      this.o.maxMemory ?? "128mb",
      "--logfile",
      join(this.o.dir, `redis-${n.port}.log`),
    ];
    const child = spawn("redis-server", args, { stdio: "ignore" });
    child.on("error", () => undefined);
    this.children.set(n.port, child);
  }

  private async waitForPing(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = new Redis(port, this.host, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      r.on("error", () => undefined);
      try {
        await r.connect();
        if ((await r.ping()) === "PONG") return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`redis-server on port ${port} did not answer: ${String(err)}`);
      } finally {
        r.disconnect();
      }
      await sleep(100);
    }
  }

  /** Each running node's role as it reports it. */
  async describe(): Promise<ClusterNodeInfo[]> {
    const out: ClusterNodeInfo[] = [];
    for (const n of this.o.nodes) {
      const running = this.isRunning(n.port);
      let role: ClusterNodeInfo["role"] = "replica";
      if (running) {
        const info = await this.infoOf(n.port, "replication").catch(() => "");
        role = /role:master/.test(info) ? "master" : "replica";
      }
      out.push({ port: n.port, role, running });
    }
    return out;
  }

  /**
   * True when every running node says `cluster_state:ok`, there are `masters`
   * masters, and every running replica's link to its master is up.
   */
  async healthy(): Promise<boolean> {
    let masters = 0;
    for (const n of this.o.nodes) {
      if (!this.isRunning(n.port)) continue;
      const cluster = await this.infoOf(n.port, "cluster-info");
      if (!/cluster_state:ok/.test(cluster)) return false;
      const replication = await this.infoOf(n.port, "replication");
      if (/role:master/.test(replication)) masters++;
      else if (!/master_link_status:up/.test(replication)) return false;
    }
    return masters === this.o.masters;
  }

  async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.healthy().catch(() => false))) {
      if (Date.now() > deadline)
        throw new Error(`the Redis Cluster on ${this.seedNodes} did not become healthy`);
      await sleep(250);
    }
  }

  /** kill -9 of one node; the cluster promotes its replica when it was a master. */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }

  /** Ports of the running masters. */
  async masterPorts(): Promise<number[]> {
    return (await this.describe())
      .filter((n) => n.running && n.role === "master")
      .map((n) => n.port);
  }

  isRunning(port: number): boolean {
    const child = this.children.get(port);
    return !!child && child.exitCode === null && child.signalCode === null;
  }

  /** Stops every node (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    this.children.clear();
  }

  private async infoOf(port: number, section: "replication" | "cluster-info"): Promise<string> {
    const r = new Redis(port, this.host, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on("error", () => undefined);
    try {
      await r.connect();
      return section === "cluster-info"
        ? String(await r.call("CLUSTER", "INFO"))
        : await r.info("replication");
    } finally {
      r.disconnect();
    }
  }
}
