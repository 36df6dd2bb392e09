/**
 * `adclick bench ingest`: the ingest's events/s per core and latency, for
 * batches of 100 and for single-event requests, against the configured broker,
 * next to the raw producer ceilings of kafkajs and @platformatic/kafka in the
 * same run. Prints figures only.
 *
 * The ingest runs in this process; the load comes from a child process (so its
 * CPU is not counted). "Per core" divides events by the CPU seconds this process
 * used during the phase. Everything lives under a throwaway topic prefix,
 * database and partner id, removed at the end.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { createTestDatabase } from "@adclick/db/testing";
import { type ClickRecord, type Config, topicName } from "@adclick/shared";
import { Redis } from "ioredis";
import { CompressionTypes } from "kafkajs";
import { Registry } from "prom-client";
import { createIngestComponent } from "../ingest/ingest-server";
import { createKafka } from "../kafka/client";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { ensureTopics } from "../kafka/topics";
import { createLogger } from "../runtime/logger";
import type { OpsState } from "../runtime/ops-routes";
import type { ReportFigure } from "./figures";
import { kafkajsEncodeRate } from "./kafkajs-encode";
import { runChild } from "./run-child";

export interface IngestBenchOptions {
  /** Seconds per phase (each phase is at most 60 s). */
  seconds: number;
  campaigns: number;
}

type Print = (line: string) => void;

interface LoadResult {
  events: number;
  elapsedMs: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

const CAMPAIGNS_PREFIX = "bench-c";

function sampleRecord(i: number): string {
  const record: ClickRecord = {
    event_id: `raw-${i}`,
    partner_id: "bench",
    campaign_id: `${CAMPAIGNS_PREFIX}${i % 100}`,
    advertiser_id: "bench-adv",
    ad_id: `ad-${i % 7}`,
    user_id: `u-${i % 100_000}`,
    ip: `81.2.${i % 250}.${(i >> 8) % 250}`,
    user_agent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ts: Date.now(),
    received_at: Date.now(),
    country: "GB",
    device: "mobile",
    publisher_id: `pub-${i % 9}`,
    referrer: null,
    cost_micros: 250_000,
  };
  return JSON.stringify(record);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

export async function benchIngest(
  base: Config,
  options: IngestBenchOptions,
  print: Print,
  report: ReportFigure = () => {},
): Promise<void> {
  const seconds = Math.min(60, Math.max(1, options.seconds));
  const id = randomBytes(4).toString("hex");
  const prefix = `bench-${id}.`;
  const database = await createTestDatabase(base.DATABASE_URL);
  const config: Config = { ...base, KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: database.url };
  const partnerId = `bench-${id}`;
  const logger = createLogger("warn", "adclick-bench");
  const kafka = createKafka(config, "adclick-bench");
  const admin = kafka.admin();
  await admin.connect();
  registerLz4Codec();
  print(
    `adclick bench ingest — ${seconds} s per phase, broker ${config.KAFKA_BROKERS.join(",")}, ${config.KAFKA_TOPIC_PARTITIONS} partitions, LZ4, acks=all, idempotent`,
  );
  try {
    await ensureTopics(admin, config, ["raw", "rejected"]);
    const topic = topicName(prefix, "raw");
    const ceilings = { producer: Number.NaN, bare: { 1: Number.NaN, 100: Number.NaN } };

    // 1. Raw kafkajs producer ceiling: ~470-byte ClickRecords, 1 MiB batches, one request in flight (as the ingest).
    {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const batch = Array.from({ length: 2_000 }, (_, i) => ({
        key: `${CAMPAIGNS_PREFIX}${i % options.campaigns}`,
        value: sampleRecord(i),
      }));
      let sent = 0;
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      while (performance.now() - t0 < seconds * 1000) {
        await producer.send({
          topic,
          messages: batch,
          acks: -1,
          compression: CompressionTypes.LZ4,
        });
        sent += batch.length;
      }
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds() - cpu0;
      await producer.disconnect();
      ceilings.producer = sent / cpu;
      print(
        `raw kafkajs producer:          ${fmt(sent / elapsed)} msgs/s  (${fmt(sent / cpu)} msgs per CPU-second)`,
      );
    }

    // 1b. What kafkajs's request encoding alone costs (no broker, no network), for the same messages.
    {
      const messages = Array.from({ length: 2_000 }, (_, i) => ({
        key: `${CAMPAIGNS_PREFIX}${i % options.campaigns}`,
        value: sampleRecord(i),
        headers: { receipt: `r_${i.toString(16).padStart(16, "0")}` },
      }));
      const rate = await kafkajsEncodeRate(
        messages,
        config.KAFKA_TOPIC_PARTITIONS,
        Math.min(3, seconds),
      );
      print(
        `kafkajs request encoding only: ${fmt(rate)} msgs per CPU-second (records + receipt header + LZ4 + CRC, no broker)`,
      );
    }

    // 2. Raw @platformatic/kafka producer ceiling, same messages.
    try {
      const { Producer, stringSerializers } = await import("@platformatic/kafka");
      let compression: "lz4" | "none" = "lz4";
      const make = () =>
        new Producer({
          clientId: "adclick-bench-platformatic",
          bootstrapBrokers: config.KAFKA_BROKERS,
          idempotent: true,
          acks: -1,
          compression,
          serializers: stringSerializers,
        });
      let producer = make();
      const messages = Array.from({ length: 2_000 }, (_, i) => ({
        topic,
        key: `${CAMPAIGNS_PREFIX}${i % options.campaigns}`,
        value: sampleRecord(i),
      }));
      try {
        await producer.send({ messages: messages.slice(0, 1) });
      } catch (err) {
        print(
          `  (@platformatic/kafka with LZ4 failed: ${(err as Error).message.split("\n")[0]}; measuring uncompressed)`,
        );
        await producer.close().catch(() => undefined);
        compression = "none";
        producer = make();
      }
      let sent = 0;
      const cpu0 = cpuSeconds();
      const t0 = performance.now();
      while (performance.now() - t0 < seconds * 1000) {
        await producer.send({ messages });
        sent += messages.length;
      }
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = cpuSeconds() - cpu0;
      await producer.close();
      print(
        `raw @platformatic/kafka (${compression}): ${fmt(sent / elapsed)} msgs/s  (${fmt(sent / cpu)} msgs per CPU-second)`,
      );
    } catch (err) {
      print(`raw @platformatic/kafka: could not run (${(err as Error).message.split("\n")[0]})`);
    }

    // 3. The HTTP ceiling: a bare node:http server in this process that reads and parses the
    // body and answers 202, driven by the same load generator as the ingest below.
    for (const [label, batch, concurrency] of [
      ["batch=100", 100, 16],
      ["single-event", 1, 64],
    ] as const) {
      const bare = await bareHttpRate((url) =>
        runLoad({
          url,
          apiKey: "none",
          batch,
          concurrency,
          ratePerSec: 0,
          durationMs: seconds * 1000,
          campaigns: options.campaigns,
          runId: `${id}-bare`,
        }),
      );
      ceilings.bare[batch] = bare.events / bare.cpu;
      print(
        `bare node:http ${label.padEnd(13)} (read + JSON.parse + 202, no validation or Kafka): ${fmt(bare.events / bare.cpu)} events per CPU-second (${fmt(bare.events / bare.cpu / batch)} requests)`,
      );
    }

    // 4. The ingest itself, in this process, driven by a child process.
    const conn = connectDb(config.DATABASE_URL, { max: 2 });
    await createAdvertiser(conn.db, { id: "bench-adv", name: "Bench" });
    for (let i = 0; i < options.campaigns; i++) {
      await createCampaign(conn.db, {
        id: `${CAMPAIGNS_PREFIX}${i}`,
        advertiserId: "bench-adv",
        name: `bench ${i}`,
        cpcMicros: 250_000,
        landingUrl: "https://example.com/",
      });
    }
    const { apiKey } = await createPartner(conn.db, {
      id: partnerId,
      name: "bench",
      rateLimitPerSec: 100_000_000,
    });
    await conn.close();
    const registry = new Registry();
    const ops: OpsState = { components: [], registry, shuttingDown: false };
    const ingest = createIngestComponent(config, {
      logger,
      registry,
      ops,
      options: { port: 0, host: "127.0.0.1" },
    });
    ops.components = [ingest];
    await ingest.start();
    const url = `http://127.0.0.1:${ingest.port()}`;
    try {
      const run = async (
        label: string,
        load: { batch: number; concurrency: number; ratePerSec: number },
      ): Promise<LoadResult & { cpu: number }> => {
        const before = await eventOutcomes(registry);
        const cpu0 = cpuSeconds();
        const result = await runLoad({
          url,
          apiKey,
          ...load,
          durationMs: seconds * 1000,
          campaigns: options.campaigns,
          // event_id allows only A-Z a-z 0-9 _ -: a label with spaces would make every event a rejection.
          runId: `${id}-${label.replace(/[^A-Za-z0-9_-]+/g, "_")}`,
        });
        const cpu = cpuSeconds() - cpu0;
        const after = await eventOutcomes(registry);
        const rate = result.events / (result.elapsedMs / 1000);
        print(
          `ingest ${label.padEnd(24)} ${fmt(rate)} events/s, ${fmt(result.events / Math.max(cpu, 0.001))} events per CPU-second, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms  statuses ${JSON.stringify(result.statuses)} events ${outcomeDelta(before, after)}`,
        );
        return { ...result, cpu };
      };
      await runLoad({
        url,
        apiKey,
        batch: 100,
        concurrency: 8,
        ratePerSec: 0,
        durationMs: 2000,
        campaigns: options.campaigns,
        runId: `${id}-warm`,
      });
      const batchPeak = await run("batch=100 peak", { batch: 100, concurrency: 16, ratePerSec: 0 });
      const singlePeak = await run("single-event peak", {
        batch: 1,
        concurrency: 64,
        ratePerSec: 0,
      });
      const batchRate = batchPeak.events / (batchPeak.elapsedMs / 1000);
      const singleRate = singlePeak.events / (singlePeak.elapsedMs / 1000);
      // The ingest produces with kafkajs: its raw producer is the batch path's ceiling.
      report({
        id: "ingest.batch.per_cpu_s",
        value: batchPeak.events / Math.max(batchPeak.cpu, 0.001),
        unit: "events/CPU-s",
        ceiling: { name: "raw kafkajs producer", value: ceilings.producer },
      });
      report({
        id: "ingest.single.per_cpu_s",
        value: singlePeak.events / Math.max(singlePeak.cpu, 0.001),
        unit: "requests/CPU-s",
        ceiling: { name: "bare node:http", value: ceilings.bare[1] },
      });
      const batchHalf = await run("batch=100 @ half peak", {
        batch: 100,
        concurrency: 64,
        ratePerSec: Math.max(100, Math.floor(batchRate / 2)),
      });
      const singleHalf = await run("single @ half peak", {
        batch: 1,
        // The ingest's per-partner cap (maxConcurrentPerPartner): more would measure its 429s.
        concurrency: 64,
        ratePerSec: Math.max(10, Math.floor(singleRate / 2)),
      });
      report({
        id: "ingest.batch.p99_half_ms",
        value: batchHalf.p99Ms,
        unit: "ms",
        note: `${fmt(batchRate / 2)} events/s`,
      });
      report({
        id: "ingest.single.p99_half_ms",
        value: singleHalf.p99Ms,
        unit: "ms",
        note: `${fmt(singleRate / 2)} requests/s`,
      });
    } finally {
      await ingest.stop();
    }
    print(
      "note: broker, Redis, Postgres, the load generator and the ingest share this machine's cores.",
    );
  } finally {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await database.drop();
    await deleteBenchKeys(config.REDIS_URL, partnerId);
  }
}

/** Event counts by outcome from the ingest's own metric, so a phase that only produced rejections shows it. */
async function eventOutcomes(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const metric = registry.getSingleMetric("adclick_ingest_events_total");
  if (!metric) return out;
  for (const v of (await metric.get()).values) {
    const outcome = String(v.labels.outcome);
    out.set(outcome, (out.get(outcome) ?? 0) + v.value);
  }
  const produce = registry.getSingleMetric("adclick_ingest_produce_duration_seconds");
  for (const v of produce ? (await produce.get()).values : []) {
    const name = (v as { metricName?: string }).metricName ?? "";
    if (name.endsWith("_sum")) out.set("produceSeconds", v.value);
    if (name.endsWith("_count")) out.set("produceRequests", v.value);
  }
  return out;
}

function outcomeDelta(before: Map<string, number>, after: Map<string, number>): string {
  const parts: string[] = [];
  for (const outcome of ["accepted", "duplicate", "rejected"])
    parts.push(`${outcome}=${(after.get(outcome) ?? 0) - (before.get(outcome) ?? 0)}`);
  const requests = (after.get("produceRequests") ?? 0) - (before.get("produceRequests") ?? 0);
  const secs = (after.get("produceSeconds") ?? 0) - (before.get("produceSeconds") ?? 0);
  if (requests > 0)
    parts.push(`produce requests=${requests} (mean ${((secs * 1000) / requests).toFixed(1)} ms)`);
  return parts.join(" ");
}

async function deleteBenchKeys(redisUrl: string, partnerId: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(
        cursor,
        "MATCH",
        `ingest:*{${partnerId}}*`,
        "COUNT",
        5000,
      );
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    await redis.quit();
  }
}

/** Runs `load` against a bare HTTP server that only reads, parses and answers; CPU of this process. */
async function bareHttpRate(
  load: (url: string) => Promise<LoadResult>,
): Promise<{ events: number; cpu: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const accepted = Array.isArray(parsed) ? parsed.length : 1;
      const body = JSON.stringify({ receipt: "r", accepted, duplicates: 0, rejected: [] });
      res.writeHead(202, { "content-type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const cpu0 = cpuSeconds();
    const result = await load(`http://127.0.0.1:${port}`);
    return { events: result.events, cpu: Math.max(cpuSeconds() - cpu0, 0.001) };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function runLoad(args: {
  url: string;
  apiKey: string;
  batch: number;
  concurrency: number;
  ratePerSec: number;
  durationMs: number;
  campaigns: number;
  runId: string;
}): Promise<LoadResult> {
  return runChild<LoadResult>(new URL("./ingest-load.ts", import.meta.url), args, "load generator");
}
