/**
 * A three-broker Kafka cluster of the test's own (KRaft, replication 3,
 * min.insync.replicas 2) on free ports in a temporary folder, deleted after.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalKafkaCluster } from "../apps/pipeline/src/services/kafka-cluster";
import { kafkaFiles } from "../apps/pipeline/src/services/kafka-service";
import { ensureJars } from "../apps/pipeline/src/services/maven";
import { stackPaths } from "../apps/pipeline/src/services/paths";
import { freePort, REPO_ROOT } from "./processes";

export interface OwnKafkaCluster {
  cluster: LocalKafkaCluster;
  /** KAFKA_BROKERS for the roles. */
  brokers: string;
  destroy(): Promise<void>;
}

export async function startOwnKafkaCluster({ heap = "384m" } = {}): Promise<OwnKafkaCluster> {
  const files = kafkaFiles(stackPaths(REPO_ROOT));
  await ensureJars(files.pom, files.libDir);
  const ports = new Set<number>();
  while (ports.size < 6) ports.add(await freePort());
  const [p1, p2, p3, c1, c2, c3] = [...ports] as [number, number, number, number, number, number];
  const dir = mkdtempSync(join(tmpdir(), "adclick-test-kafka-cluster-"));
  const cluster = new LocalKafkaCluster({
    nodes: [
      { port: p1, controllerPort: c1 },
      { port: p2, controllerPort: c2 },
      { port: p3, controllerPort: c3 },
    ],
    dir,
    libDir: files.libDir,
    template: join(files.template, "..", "cluster-server.properties"),
    log4j: files.log4j,
    heap,
  });
  const destroy = async () => {
    await cluster.stop();
    if (!dir.includes("adclick-test-kafka-cluster-")) throw new Error(`refusing to delete ${dir}`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cluster.start();
  } catch (err) {
    await destroy();
    throw err;
  }
  return { cluster, brokers: cluster.brokers, destroy };
}
