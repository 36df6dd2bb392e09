/**
 * `adclick bench aggregate`: one aggregator process over a pre-filled topic
 * (events/s, one process = one core of JavaScript), the raw kafkajs consume
 * ceiling over the same topic, and click-to-counter latency p50/p99 at half
 * the measured peak. Uses a throwaway topic prefix and bench-only campaign ids,
 * and deletes both afterwards.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, topicName } from "@adclick/shared";
import { Redis } from "ioredis";
import type { Kafka } from "kafkajs";
import { Registry } from "prom-client";
import { Aggregator } from "../aggregate/aggregator";
import { decodeClicks } from "../aggregate/decode-click";
import { createKafka } from "../kafka/client";
import { createLogger } from "../runtime/logger";
import { stackPaths } from "../services/paths";
import { benchClick, sendClicks } from "./aggregate-feeder";
import { peerFigure, type ReportFigure } from "./figures";
import { benchFlinkPeer } from "./flink-peer";
import { percentile } from "./percentile";

export interface AggregateBenchOptions {
  events: number;
  campaigns: number;
  latencySeconds: number;
  /** Runs the same window count on this peer after ours, over the pre-filled clicks. */
  peer?: "flink";
}

export async function benchAggregate(
  base: Config,
  o: AggregateBenchOptions,
  print: (line: string) => void,
  report: ReportFigure = () => {},
): Promise<void> {
  const id = randomBytes(4).toString("hex");
  const prefix = `bench-${id}.`;
  const config: Config = { ...base, KAFKA_TOPIC_PREFIX: prefix };
  const logger = createLogger("error", "bench");
  const kafka = createKafka(config, "adclick-bench");
  const admin = kafka.admin();
  await admin.connect();
  const topic = topicName(prefix, "raw");
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: config.KAFKA_TOPIC_PARTITIONS }],
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const feed = { id, topic, campaigns: o.campaigns };
  const send = (from: number, n: number) => sendClicks(producer, feed, from, n);
  try {
    print(`filling ${topic} with ${o.events} clicks over ${o.campaigns} campaigns…`);
    for (let i = 0; i < o.events; i += 5000) await send(i, Math.min(5000, o.events - i));
    // The latency phase adds clicks to the topic: the peer stops at the pre-filled end.
    const filledEnds = (await admin.fetchTopicOffsets(topic)).map((p) => ({
      partition: p.partition,
      offset: Number(p.high),
    }));

    // 1. Ceilings over the same topic with the same fetch settings: kafkajs alone, then
    // kafkajs plus our batch JSON decode (the most any aggregator that parses the clicks can do).
    const ceilings: Array<[string, ((values: Array<Buffer | null>) => void) | undefined]> = [
      ["raw kafkajs consume (ceiling, no processing)", undefined],
      [
        "kafkajs consume + JSON decode of each click (ceiling with parsing)",
        (values) => decodeClicks(values),
      ],
    ];
    let decodeCeiling = Number.NaN;
    for (const [i, [label, onValues]] of ceilings.entries()) {
      const run = await consumeTopic(
        kafka,
        `${prefix}ceiling-${i}`,
        topic,
        o.events,
        config,
        onValues,
      );
      if (onValues) decodeCeiling = o.events / run.cpuSeconds;
      print(
        `${label}: ${Math.round(o.events / run.seconds)} events/s from the group join, ${Math.round(o.events / run.cpuSeconds)} events per CPU-second`,
      );
    }

    // 2. Aggregator throughput over the pre-filled topic, then 3. latency at half that rate.
    let processed = 0;
    let joinedAt = 0;
    let latencies: number[] | null = null;
    const agg = new Aggregator({
      config,
      logger,
      registry: new Registry(),
      loadBlocklist: async () => [],
      onJoined: () => {
        joinedAt ||= Date.now();
      },
      onFlushed: (clicks, nowMs) => {
        processed += clicks.length;
        if (latencies) for (const c of clicks) latencies.push(nowMs - c.click.received_at);
      },
    });
    const started = Date.now();
    const redisStats = new Redis(config.REDIS_URL);
    await agg.start();
    while (!joinedAt) await new Promise((r) => setTimeout(r, 5));
    const cpu0 = process.cpuUsage();
    const redisCpu0 = await redisCpuSeconds(redisStats);
    while (processed < o.events) await new Promise((r) => setTimeout(r, 5));
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = (await redisCpuSeconds(redisStats)) - redisCpu0;
    const ended = Date.now();
    const seconds = (ended - started) / 1000;
    const steady = (ended - joinedAt) / 1000;
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const peak = Math.round(o.events / steady);
    print(
      `aggregator (decode, score, window, HLL, atomic Redis flush, flagged/fraud produce): ${peak} events/s from the group join (${Math.round(o.events / seconds)} incl. start-up); ${Math.round(o.events / cpuSeconds)} events per CPU-second of the aggregator process (${cpuSeconds.toFixed(2)} s CPU over ${steady.toFixed(2)} s, GC threads included; Redis's own CPU not included)`,
    );
    print(
      `  Redis server CPU meanwhile: ${redisCpu.toFixed(2)} s (${Math.round((redisCpu * 1e6) / o.events)} µs per click; the server is shared, so an upper bound)`,
    );
    report({
      id: "aggregate.per_cpu_s",
      value: o.events / cpuSeconds,
      unit: "events/CPU-s",
      ceiling: { name: "kafkajs consume + JSON decode", value: decodeCeiling },
    });
    report({
      id: "aggregate.redis_us_per_click",
      value: (redisCpu * 1e6) / o.events,
      unit: "µs",
      note: "the Redis server is shared: an upper bound",
    });
    const t = agg.timings;
    if (t)
      print(
        `  phases (ms over ${t.batches} batches): decode ${Math.round(t.decode)}, state ${Math.round(t.state)}, features ${Math.round(t.features)}, score ${Math.round(t.score)}, deltas ${Math.round(t.deltas)}, flush ${Math.round(t.flush)}, produce ${Math.round(t.produce)}`,
      );

    // 3. Click-to-counter latency at half the peak, then at 90 % of it.
    let from = o.events;
    for (const [fraction, figureId] of [
      [0.5, "aggregate.p99_half_ms"],
      [0.9, "aggregate.p99_90pct_ms"],
    ] as const) {
      const rate = Math.max(1000, Math.floor(peak * fraction));
      latencies = [];
      const phaseFrom = processed;
      const phaseRedisCpu0 = await redisCpuSeconds(redisStats);
      const phaseBatches0 = agg.timings?.batches ?? 0;
      // The feeder runs in its own process, as the ingest does in production.
      const feeder = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          fileURLToPath(new URL("./aggregate-feeder.ts", import.meta.url)),
          JSON.stringify({ ...feed, from, rate, seconds: o.latencySeconds }),
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      feeder.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((res) => feeder.once("exit", res));
      if (code !== 0) throw new Error(`the bench feeder exited with ${code}`);
      const target = Number(out.trim());
      const deadline = Date.now() + 30_000;
      while (processed < target && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const phaseRedisCpu = (await redisCpuSeconds(redisStats)) - phaseRedisCpu0;
      const phaseClicks = Math.max(1, processed - phaseFrom);
      // Clicks still uncounted at the deadline count as that late at least, not as absent.
      const missing = Math.max(0, target - from - latencies.length);
      const waitedMs = Date.now() - (deadline - 30_000);
      for (let i = 0; i < missing; i++) latencies.push(waitedMs);
      const sorted = latencies.sort((a, b) => a - b);
      latencies = null;
      from = target;
      const p99 = percentile(sorted, 0.99);
      const late = missing
        ? `; ${missing} clicks not counted ${Math.round(waitedMs / 1000)} s after the feed ended`
        : "";
      print(
        `click-to-counter latency at ${rate} events/s (${fraction * 100} % of the peak), ${sorted.length} clicks: p50 ${percentile(sorted, 0.5)} ms, p99 ${p99} ms${late}`,
      );
      print(
        `  Redis server CPU at that rate: ${phaseRedisCpu.toFixed(2)} s (${Math.round((phaseRedisCpu * 1e6) / phaseClicks)} µs per click; ${Math.round(phaseClicks / Math.max(1, (agg.timings?.batches ?? 0) - phaseBatches0))} clicks per partition batch)`,
      );
      report({
        id: figureId,
        value: p99,
        unit: "ms",
        note: `${rate.toLocaleString("en-US")} events/s${late}`,
      });
    }
    await redisStats.quit();
    await agg.stop();

    if (o.peer === "flink") {
      const expected = new Map<string, number>();
      for (let i = 0; i < o.events; i++) {
        const c = benchClick(id, o.campaigns, i, 0).campaign_id;
        expected.set(c, (expected.get(c) ?? 0) + 1);
      }
      const flink = await benchFlinkPeer(
        {
          dir: join(stackPaths().infraDir, "flink-peer"),
          brokers: config.KAFKA_BROKERS,
          topic,
          ends: filledEnds,
          // The bench's clicks carry a `ts` up to 10 minutes before their sending.
          maxOutOfOrderSeconds: 660,
          expected,
          oursPerCpuSecond: o.events / cpuSeconds,
        },
        print,
      );
      report(peerFigure("flink", o.events / cpuSeconds, flink.events / flink.cpuSeconds));
    }
  } finally {
    await producer.disconnect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
    await cleanRedis(config.REDIS_URL, id, topic);
  }
}

/** CPU seconds the Redis server has used (user + system, all its threads). */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) =>
    Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return field("used_cpu_user") + field("used_cpu_sys");
}

async function cleanRedis(url: string, id: string, topic: string): Promise<void> {
  const redis = new Redis(url);
  const scan = async (match: string, each: (keys: string[]) => Promise<unknown>) => {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      if (keys.length) await each(keys);
    } while (cursor !== "0");
  };
  for (const match of [`*bench-${id}-*`, `*${topic}*`])
    await scan(match, (keys) => redis.unlink(...keys));
  // The per-minute volume hashes are shared with any live aggregator: only the bench's users and IPs go.
  await scan("vol:*", async (keys) => {
    for (const key of keys) {
      const pattern = key.endsWith(":user") ? "u[0-9]*" : key.endsWith(":ip") ? "198.51.*" : null;
      if (!pattern) continue;
      let cursor = "0";
      do {
        const [next, fields] = await redis.hscan(key, cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        const names = fields.filter((_, i) => i % 2 === 0);
        if (names.length) await redis.hdel(key, ...names);
      } while (cursor !== "0");
    }
  });
  await redis.quit();
}

/** Consumes `events` messages of `topic` in a fresh group, timed (wall and process CPU) from the group join. */
async function consumeTopic(
  kafka: Kafka,
  groupId: string,
  topic: string,
  events: number,
  config: Config,
  onValues: ((values: Array<Buffer | null>) => void) | undefined,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
  });
  let seen = 0;
  let started = 0;
  let cpu0 = process.cpuUsage();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (started) return;
    started = Date.now();
    cpu0 = process.cpuUsage();
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    consumer.run({
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: Math.min(8, config.KAFKA_TOPIC_PARTITIONS),
      eachBatch: async ({ batch }) => {
        if (onValues) onValues(batch.messages.map((m) => m.value));
        seen += batch.messages.length;
        if (seen >= events) resolve();
      },
    });
  });
  await done;
  const cpu = process.cpuUsage(cpu0);
  const seconds = (Date.now() - started) / 1000;
  await consumer.disconnect();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
