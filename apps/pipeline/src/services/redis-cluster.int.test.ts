/**
 * A Redis Cluster of three masters with a replica each, from the machine's
 * redis-server: the product's client and key rules on it, and a master killed
 * with its replica taking over.
 */
import { dayCounterKey, loadConfig } from "@adclick/shared";
import { scanDayTotalCampaigns } from "@adclick/shared/live-counters";
import {
  createRedisClient,
  isCluster,
  keySlot,
  masterNodes,
  type RedisClient,
  replyValue,
  SlotPipeline,
  scanKeys,
} from "@adclick/shared/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnRedisCluster, startOwnRedisCluster } from "../../../../test/own-redis-cluster";
import { RedisGuards } from "../ingest/redis-guards";

let own: OwnRedisCluster;
let redis: RedisClient;
const DAY = Date.UTC(2026, 11, 3);
const CAMPAIGNS = Array.from({ length: 40 }, (_, i) => `rc-camp-${i}`);

beforeAll(async () => {
  const startedAt = Date.now();
  own = await startOwnRedisCluster();
  console.log(`[redis cluster] 3 masters + 3 replicas up in ${Date.now() - startedAt} ms`);
  redis = createRedisClient(loadConfig({ REDIS_CLUSTER_NODES: own.seedNodes }), {
    maxRetriesPerRequest: null,
  });
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await own?.destroy();
});

describe("Redis Cluster", () => {
  it("is what REDIS_CLUSTER_NODES selects, with three masters holding the slots", async () => {
    expect(isCluster(redis)).toBe(true);
    await redis.set("probe", "1");
    expect(masterNodes(redis)).toHaveLength(3);
    expect(await own.cluster.masterPorts()).toHaveLength(3);
  });

  it("refuses a plain pipeline across slots; a slot pipeline runs it and answers in order", async () => {
    const keys = CAMPAIGNS.map((c) => dayCounterKey(c, DAY, "all"));
    expect(new Set(keys.map(keySlot)).size).toBeGreaterThan(30);
    const plain = redis.pipeline();
    for (const k of keys) plain.hincrby(k, "clicks", 1);
    await expect(plain.exec()).rejects.toThrow(/same slots|slot/i);

    const pipe = new SlotPipeline(redis);
    for (const [i, k] of keys.entries()) pipe.add(k, (p) => p.hincrby(k, "clicks", i + 1));
    const replies = await pipe.exec();
    expect(replies.map(replyValue)).toEqual(keys.map((_, i) => i + 1));
  });

  it("finds keys on every master (SCAN on one node sees only its share)", async () => {
    const found = new Set<string>();
    for await (const batch of scanKeys(redis, "counter:*")) for (const k of batch) found.add(k);
    expect(found.size).toBe(CAMPAIGNS.length);
    const perMaster = await Promise.all(
      masterNodes(redis).map(
        async (n) => (await n.scan("0", "MATCH", "counter:*", "COUNT", 1000))[1].length,
      ),
    );
    expect(Math.max(...perMaster)).toBeLessThan(CAMPAIGNS.length);
    expect(await scanDayTotalCampaigns(redis, DAY)).toEqual([...CAMPAIGNS].sort());
    // A client that has only just been made (no slot map yet) finds them all as well.
    const fresh = createRedisClient(loadConfig({ REDIS_CLUSTER_NODES: own.seedNodes }));
    try {
      expect(await scanDayTotalCampaigns(fresh, DAY)).toHaveLength(CAMPAIGNS.length);
    } finally {
      fresh.disconnect();
    }
  });

  it("runs the ingest's guard scripts of many partners in one go", async () => {
    const guards = new RedisGuards(redis);
    const admit = (partner: string, ids: string[], token: string) =>
      guards.admit(partner, 1000, ids.length, ids, token);
    const admissions = await Promise.all(
      Array.from({ length: 12 }, (_, i) => admit(`rc-partner-${i}`, ["e1", "e2"], "tok")),
    );
    expect(admissions).toEqual(
      Array(12).fill({ kind: "admitted", outcomes: ["claimed", "claimed"] }),
    );
    expect(await admit("rc-partner-3", ["e1"], "other")).toEqual({
      kind: "admitted",
      outcomes: ["pending"],
    });
  });

  it("keeps serving after a master is killed: its replica is promoted", async () => {
    const key = dayCounterKey("rc-failover", DAY, "all");
    await redis.hincrby(key, "clicks", 5);
    const slot = keySlot(key);
    const slots = await redis.cluster("SLOTS");
    const range = slots.find(([from, to]) => slot >= from && slot <= to);
    const port = range?.[2]?.[1];
    if (port === undefined) throw new Error(`no master serves slot ${slot}`);
    // WAIT counts the writes of its own connection: ask the key's master, over the connection
    // the cluster client wrote through, that its replica has the write before the kill.
    if (!isCluster(redis)) throw new Error("expected a cluster client");
    const master = redis.nodes("master").find((n) => n.options.port === port);
    if (!master) throw new Error(`the client has no connection to master :${port}`);
    expect(await master.wait(1, 5000)).toBeGreaterThanOrEqual(1);
    const killedAt = Date.now();
    await own.cluster.kill(port);
    // A write during the failover is refused until the replica is promoted (MOVED back and forth,
    // CLUSTERDOWN: never applied, so retried as a role's batch is), then lands on the promoted replica.
    for (;;) {
      try {
        await redis.hincrby(key, "clicks", 2);
        break;
      } catch (err) {
        const unapplied = /MOVED|CLUSTERDOWN|redirections/.test(String(err));
        if (!unapplied || Date.now() - killedAt > 30_000) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    console.log(
      `[redis cluster] write after killing master :${port} answered in ${Date.now() - killedAt} ms`,
    );
    expect(await redis.hget(key, "clicks")).toBe("7");
    await own.cluster.waitUntilHealthy(30_000);
    expect(await own.cluster.masterPorts()).toHaveLength(3);
    expect(await own.cluster.masterPorts()).not.toContain(port);
  }, 60_000);
});
