/**
 * A Redis Cluster of the test's own: three masters with a replica each on free
 * ports, in a temporary folder, stopped and deleted after. A test may kill a
 * master to see its replica promoted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalRedisCluster } from "../apps/pipeline/src/services/redis-cluster";
import { freePort } from "./processes";

export interface OwnRedisCluster {
  cluster: LocalRedisCluster;
  /** REDIS_CLUSTER_NODES for the roles. */
  seedNodes: string;
  destroy(): Promise<void>;
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

export async function startOwnRedisCluster({
  masters = 3,
  replicasPerMaster = 1,
} = {}): Promise<OwnRedisCluster> {
  const count = masters * (1 + replicasPerMaster);
  const ports = await distinctFreePorts(count * 2);
  const dir = mkdtempSync(join(tmpdir(), "adclick-test-redis-cluster-"));
  const cluster = new LocalRedisCluster({
    nodes: Array.from({ length: count }, (_, i) => ({
      port: ports[i]!,
      busPort: ports[count + i]!,
    })),
    masters,
    dir,
    nodeTimeoutMs: 2000,
    maxMemory: "96mb",
  });
  const destroy = async () => {
    await cluster.stop();
    if (!dir.includes("adclick-test-redis-cluster-")) throw new Error(`refusing to delete ${dir}`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cluster.start();
  } catch (err) {
    await destroy();
    throw err;
  }
  return { cluster, seedNodes: cluster.seedNodes, destroy };
}
