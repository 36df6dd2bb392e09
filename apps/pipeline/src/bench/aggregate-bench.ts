/**
 * `adclick bench aggregate`: one aggregator process over a pre-filled topic
 * (events/s, one process = one core of JavaScript), the raw kafkajs consume
 * ceiling over the same topic, and click-to-counter latency p50/p99 at half
 * the measured peak. Uses a throwaway topic prefix and bench-only campaign ids,
 * and deletes both afterwards.
 */
import { randomBytes } from "node:crypto";
import { type ClickRecord, type Config, topicName } from "@adclick/shared";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { Aggregator } from "../aggregate/aggregator";
import { createKafka } from "../kafka/client";
import { createLogger } from "../runtime/logger";

export interface AggregateBenchOptions {
  events: number;
  campaigns: number;
  latencySeconds: number;
}

export async function benchAggregate(
  base: Config,
  o: AggregateBenchOptions,
  print: (line: string) => void,
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
  const make = (i: number, now: number): ClickRecord => ({
    event_id: `b${id}-${i}`,
    partner_id: `p${i % 3}`,
    campaign_id: `bench-${id}-c${i % o.campaigns}`,
    advertiser_id: "bench",
    ad_id: "bench-ad",
    user_id: `u${(i * 7919) % 50_000}`,
    ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
    user_agent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    ts: now - (i % 600) * 1000,
    received_at: now,
    country: ["US", "DE", "FR"][i % 3]!,
    device: "mobile",
    publisher_id: null,
    referrer: null,
    cost_micros: 100_000,
  });
  const send = async (from: number, n: number) => {
    const now = Date.now();
    const messages = [];
    for (let i = from; i < from + n; i++) {
      const c = make(i, now);
      messages.push({ key: c.campaign_id, value: JSON.stringify(c) });
    }
    await producer.send({ topic, acks: -1, messages });
  };
  try {
    print(`filling ${topic} with ${o.events} clicks over ${o.campaigns} campaigns…`);
    for (let i = 0; i < o.events; i += 5000) await send(i, Math.min(5000, o.events - i));

    // 1. Raw kafkajs consume ceiling: no decoding, no processing.
    {
      const consumer = kafka.consumer({
        groupId: `${prefix}raw`,
        maxBytesPerPartition: 2 * 1024 * 1024,
      });
      let seen = 0;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const started = Date.now();
      const done = new Promise<void>((resolve) => {
        consumer.run({
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= o.events) resolve();
          },
        });
      });
      await done;
      const seconds = (Date.now() - started) / 1000;
      await consumer.disconnect();
      print(`raw kafkajs consume (ceiling): ${Math.round(o.events / seconds)} events/s`);
    }

    // 2. Aggregator throughput over the pre-filled topic, then 3. latency at half that rate.
    let processed = 0;
    let latencies: number[] | null = null;
    const agg = new Aggregator({
      config,
      logger,
      registry: new Registry(),
      loadBlocklist: async () => [],
      onFlushed: (clicks, nowMs) => {
        processed += clicks.length;
        if (latencies) for (const c of clicks) latencies.push(nowMs - c.click.received_at);
      },
    });
    const started = Date.now();
    await agg.start();
    while (processed < o.events) await new Promise((r) => setTimeout(r, 20));
    const seconds = (Date.now() - started) / 1000;
    const peak = Math.round(o.events / seconds);
    print(
      `aggregator (decode, score, window, HLL, atomic Redis flush, flagged/fraud produce): ${peak} events/s on one process (incl. start-up and group join)`,
    );

    const rate = Math.max(1000, Math.floor(peak / 2));
    latencies = [];
    const tickMs = 100;
    const perTick = Math.ceil((rate * tickMs) / 1000);
    let next = o.events;
    const end = Date.now() + o.latencySeconds * 1000;
    while (Date.now() < end) {
      const t0 = Date.now();
      await send(next, perTick);
      next += perTick;
      await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - t0))));
    }
    const target = next;
    const deadline = Date.now() + 30_000;
    while (processed < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies![Math.min(latencies!.length - 1, Math.floor(p * latencies!.length))] ?? Number.NaN;
    print(
      `click-to-counter latency at ${rate} events/s (half the peak), ${latencies.length} clicks: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
    );
    await agg.stop();
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

async function cleanRedis(url: string, id: string, topic: string): Promise<void> {
  const redis = new Redis(url);
  for (const match of [`*bench-${id}-*`, `*${topic}*`, "rate:*"]) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      const doomed =
        match === "rate:*" ? keys.filter((k) => /:user:u\d+$|:ip:198\.51\./.test(k)) : keys;
      if (doomed.length) await redis.unlink(...doomed);
    } while (cursor !== "0");
  }
  await redis.quit();
}
