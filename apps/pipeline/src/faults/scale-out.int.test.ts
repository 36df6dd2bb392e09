/**
 * Scale-out on the real distributed engines: a three-broker Kafka (RF 3,
 * min.insync.replicas 2) and a Redis Cluster of three masters with a replica
 * each, both the test's own; two ingest processes behind a round-robin proxy,
 * two aggregators, two archivers and a review sink. Mid-stream the Kafka
 * broker leading partition 0 is killed (and restarted 15 s later) and one Redis
 * master is killed (its replica is promoted). At the end the live counters,
 * the lake and the batch hold exactly the simulator's ground truth, and every
 * replica did a share of the work.
 */
import { dayCounterKey, groupName, topicName } from "@adclick/shared";
import { keySlot } from "@adclick/shared/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnKafkaCluster, startOwnKafkaCluster } from "../../../../test/own-kafka-cluster";
import { type OwnRedisCluster, startOwnRedisCluster } from "../../../../test/own-redis-cluster";
import { sleep } from "../../../../test/processes";
import { sumMetric } from "../../../../test/round-robin-proxy";
import { createKafka } from "../kafka/client";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import { verifyFaultRun } from "./verify";

let kafka: OwnKafkaCluster;
let redis: OwnRedisCluster;
let pipeline: FaultPipeline;
const timings: Record<string, number> = {};

beforeAll(async () => {
  let t = Date.now();
  [kafka, redis] = await Promise.all([startOwnKafkaCluster(), startOwnRedisCluster()]);
  timings.clustersUpMs = Date.now() - t;
  t = Date.now();
  pipeline = await startFaultPipeline({
    env: {
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_REPLICATION_FACTOR: "3",
      REDIS_CLUSTER_NODES: redis.seedNodes,
    },
    ingests: 2,
    aggregators: 2,
    archivers: 2,
  });
  timings.rolesUpMs = Date.now() - t;
}, 300_000);

afterAll(async () => {
  await pipeline?.dispose();
  await Promise.all([kafka?.destroy(), redis?.destroy()]);
});

/**
 * Whether the broker leading partition 0 is killed mid-stream too (restarted
 * 15 s later). It once cost 20 to 99 acknowledged clicks: kafkajs resolved the
 * ingest's sends without writing the moved partition's messages (see
 * kafka/unacknowledged.ts). Left down for good, kafkajs consumers keep failing
 * on the lost group coordinator ("Broker not found in the cached metadata",
 * tulios/kafkajs#802), hence the restart.
 */
const KILL_BROKER = true;

async function killBrokerAt(atMs: number, streamStart: number): Promise<number> {
  await sleep(atMs - (Date.now() - streamStart));
  const broker = await leaderOfFirstPartition();
  await kafka.cluster.kill(broker);
  timings.brokerKilledAtMs = Date.now() - streamStart;
  console.log(
    `[scale-out] Kafka broker ${broker} killed ${timings.brokerKilledAtMs} ms into the stream`,
  );
  return broker;
}

/** The broker leading partition 0 of the run's clicks.raw. */
async function leaderOfFirstPartition(): Promise<number> {
  const admin = createKafka(pipeline.stack.config, "adclick-scale-out-observer").admin();
  await admin.connect();
  try {
    const topic = topicName(pipeline.env.KAFKA_TOPIC_PREFIX!, "raw");
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    const leader = topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    if (leader === undefined || leader < 0) throw new Error(`no leader for ${topic}/0`);
    return leader;
  } finally {
    await admin.disconnect();
  }
}

/** The Redis master serving the slot of one campaign's day counter. */
async function masterOf(key: string): Promise<number> {
  const slot = keySlot(key);
  for (const port of await redis.cluster.masterPorts()) {
    const node = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
    try {
      const ranges = await node.cluster("SLOTS");
      const mine = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (mine?.[2]?.[1] !== undefined) return mine[2][1];
    } finally {
      node.disconnect();
    }
  }
  throw new Error(`no master serves slot ${slot}`);
}

/** How far each consumer group has read its topic, per partition. */
async function groupProgress(): Promise<string> {
  const admin = createKafka(pipeline.stack.config, "adclick-scale-out-observer").admin();
  await admin.connect();
  const prefix = pipeline.env.KAFKA_TOPIC_PREFIX!;
  try {
    const lines: string[] = [];
    for (const [short, group] of [
      ["raw", "aggregator"],
      ["raw", "archiver"],
      ["flagged", "review-sink"],
    ] as const) {
      const topic = topicName(prefix, short);
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({
        groupId: groupName(prefix, group),
        topics: [topic],
      });
      const parts = ends.map((e) => {
        const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset;
        return `p${e.partition} ${c}/${e.high}`;
      });
      lines.push(`${group} on ${short}: ${parts.join(", ")}`);
    }
    for (const role of pipeline.aggregators) {
      const url = pipeline.metricsUrls.get(role.name)!;
      const rebuilds = await metric(url, "adclick_aggregator_rebuilds_total");
      const events = await metric(url, "adclick_aggregator_events_total");
      lines.push(`${role.name}: ${events} events, ${rebuilds} rebuilds`);
    }
    return lines.join("; ");
  } finally {
    await admin.disconnect();
  }
}

async function metric(url: string, name: string): Promise<number> {
  const res = await fetch(url);
  return sumMetric(await res.text(), name);
}

describe("scale-out on a three-broker Kafka and a Redis Cluster", () => {
  it("counts, archives and bills exactly with a Redis master killed mid-stream, every replica sharing the work", async () => {
    const load = startLoad(pipeline, { seed: 1801, ratePerSec: 150, durationSec: 30 });
    const streamStart = Date.now();

    const broker = KILL_BROKER ? await killBrokerAt(6000, streamStart) : null;

    await sleep(12_000 - (Date.now() - streamStart));
    const master = await masterOf(dayCounterKey("flt-c0", Date.now(), "all"));
    const killedAt = Date.now();
    await redis.cluster.kill(master);
    timings.redisMasterKilledAtMs = killedAt - streamStart;
    await redis.cluster.waitUntilHealthy(60_000);
    timings.redisFailoverMs = Date.now() - killedAt;
    const masters = await redis.cluster.masterPorts();
    console.log(
      `[scale-out] Redis master :${master} killed ${timings.redisMasterKilledAtMs} ms into the stream; replica promoted after ${timings.redisFailoverMs} ms (masters now ${masters.join(", ")})`,
    );
    expect(masters).toHaveLength(3);
    expect(masters).not.toContain(master);
    if (broker !== null) {
      expect(kafka.cluster.isRunning(broker)).toBe(false);
      // The broker comes back while the stream still runs (kafkajs consumers do not
      // recover from a group coordinator that never returns: tulios/kafkajs#802).
      await sleep(22_000 - (Date.now() - streamStart));
      await kafka.cluster.restart(broker);
      timings.brokerDownMs = Date.now() - streamStart - timings.brokerKilledAtMs!;
      console.log(`[scale-out] Kafka broker ${broker} back after ${timings.brokerDownMs} ms`);
    }

    const verifyStart = Date.now();
    const result = await verifyFaultRun(pipeline, load, "scale-out").catch(async (err) => {
      console.log(`[scale-out] failed: ${await groupProgress().catch(String)}`);
      for (const role of pipeline.roles())
        console.log(`[scale-out] ${role.name} (started ${role.starts}x) stderr:\n${role.tail(15)}`);
      throw err;
    });
    timings.settleAndBillMs = Date.now() - verifyStart;
    expect(result.expected.events.size).toBeGreaterThan(3000);

    // Every replica did a share.
    const proxied = pipeline.proxyCounts()!;
    const shares: Record<string, number> = {};
    for (const role of pipeline.ingests)
      shares[role.name] = await metric(
        pipeline.metricsUrls.get(role.name)!,
        "adclick_ingest_events_total",
      );
    for (const role of pipeline.aggregators)
      shares[role.name] = await metric(
        pipeline.metricsUrls.get(role.name)!,
        "adclick_aggregator_events_total",
      );
    for (const role of pipeline.archivers)
      shares[role.name] = await metric(
        pipeline.metricsUrls.get(role.name)!,
        "adclick_archiver_flush_seconds_count",
      );
    console.log(
      `[scale-out] proxy requests per ingest ${JSON.stringify(proxied)}; work per replica ${JSON.stringify(shares)}; timings ${JSON.stringify(timings)}`,
    );
    const total = proxied.reduce((a, b) => a + b, 0);
    for (const n of proxied) expect(n).toBeGreaterThan(total * 0.3);
    for (const [name, n] of Object.entries(shares)) expect(n, `${name}'s share`).toBeGreaterThan(0);
  }, 420_000);
});
