/**
 * The one place a Redis client is made: a single node (REDIS_URL) or, when
 * REDIS_CLUSTER_NODES is set, a Redis Cluster client. Both roles and the
 * dashboard take their connection from here.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { Config } from "../config";

/** A Redis node or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

export type RedisClientOptions = Pick<
  RedisOptions,
  "maxRetriesPerRequest" | "enableAutoPipelining" | "lazyConnect" | "connectionName"
>;

export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/** A client for the deployment's Redis (C7): the cluster of REDIS_CLUSTER_NODES, else REDIS_URL. */
export function createRedisClient(
  config: Pick<Config, "REDIS_URL" | "REDIS_CLUSTER_NODES">,
  options: RedisClientOptions = {},
): RedisClient {
  if (!config.REDIS_CLUSTER_NODES) return new Redis(config.REDIS_URL, options);
  const { enableAutoPipelining, ...redisOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions,
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
    ...(options.lazyConnect === undefined ? {} : { lazyConnect: options.lazyConnect }),
    // A failover (a replica promoted after cluster-node-timeout) takes seconds:
    // commands wait for the new slot map instead of failing at once.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    maxRedirections: 32,
    slotsRefreshTimeout: 2000,
  };
  return new Cluster(
    config.REDIS_CLUSTER_NODES.map((n) => ({ host: n.host, port: n.port })),
    clusterOptions,
  );
}

/** The master nodes to enumerate keys on: every master of a cluster, or the one node. */
export function masterNodes(redis: RedisClient): Redis[] {
  return isCluster(redis) ? redis.nodes("master") : [redis];
}

/**
 * Resolves once a cluster client knows the slot map (until then it lists no
 * nodes at all); at once for a single node, whose commands queue anyway.
 */
export async function clusterReady(redis: RedisClient, timeoutMs = 30_000): Promise<void> {
  if (!isCluster(redis) || redis.status === "ready") return;
  if (redis.status === "wait") await redis.connect();
  if ((redis.status as string) === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      reject(new Error(`the Redis Cluster was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", onReady);
  });
}

/**
 * Waits until each master's replica holds every write this client sent it so
 * far (WAIT on the same connection), for masters that have a replica. Redis
 * replicates asynchronously: a master killed right after acknowledging a write
 * may hand over to a replica without it. Called before an offset is committed
 * to Kafka, what the commit vouches for survives a failover; what it does not
 * is redelivered and applied again. A master whose replica is gone (or slow
 * past `timeoutMs`) is not waited for longer. Nothing to do on a single node.
 */
export async function waitForReplicas(redis: RedisClient, timeoutMs = 1000): Promise<void> {
  if (!isCluster(redis)) return;
  const withReplicas = new Set<string>();
  for (const nodes of redis.slots) if (nodes && nodes.length > 1) withReplicas.add(nodes[0]!);
  await Promise.all(
    redis.nodes("master").map(async (node) => {
      const key = `${node.options.host}:${node.options.port}`;
      if (withReplicas.has(key)) await node.wait(1, timeoutMs);
    }),
  );
}

/**
 * Every key matching `pattern`, on every master (SCAN covers one node only).
 * Yields batches as SCAN returns them; a key may appear twice across a
 * resharding, so callers treat the result as a set.
 */
export async function* scanKeys(
  redis: RedisClient,
  pattern: string,
  count = 1000,
): AsyncGenerator<string[]> {
  await clusterReady(redis);
  for (const node of masterNodes(redis)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== "0");
  }
}
