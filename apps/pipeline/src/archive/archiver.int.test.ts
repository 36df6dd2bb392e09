import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ClickRecord, loadConfig, topicName } from "@adclick/shared";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import type { ConsumerGroup } from "../kafka/consumer-group";
import { ensureTopics } from "../kafka/topics";
import { decodeClicks, encodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import { hourPrefix, pendingKey, segmentFileKey } from "../lake/lake-layout";
import type { LakeStore } from "../lake/lake-store";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import { Archiver } from "./archiver";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../bin/adclick.mjs");
const DAY_MS = Date.UTC(2026, 0, 31);

function makeClick(i: number): ClickRecord {
  // Event times spread over four hours, not in order, so files split per hour.
  const ts = DAY_MS + 9 * 3_600_000 + ((i * 7919) % (4 * 3_600_000));
  return {
    event_id: `arc-${i}`,
    partner_id: `partner-${i % 3}`,
    campaign_id: `cmp-${i % 11}`,
    advertiser_id: "adv-1",
    ad_id: `ad-${i % 4}`,
    user_id: `user-${i % 500}`,
    ip: `10.2.${i % 200}.${i % 250}`,
    user_agent: "Mozilla/5.0 test",
    ts,
    received_at: ts + 10,
    country: i % 4 ? "US" : null,
    device: "mobile",
    publisher_id: i % 2 ? `pub-${i % 3}` : null,
    referrer: null,
    cost_micros: 100_000,
  };
}

describe("archiver", () => {
  let stack: TestStack;
  let kafka: Kafka;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await createTestStack({ database: false });
    kafka = new Kafka({
      brokers: stack.config.KAFKA_BROKERS,
      clientId: "archiver-test",
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, stack.config, ["raw", "fraud"]);
    await admin.disconnect();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await stack?.cleanup();
  });

  function startArchiver(args: string[]): ChildProcess {
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const child = spawn(process.execPath, [BIN, "archive", "--ops-port", port, ...args], {
      env: { ...process.env, ...stack.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", () => undefined);
    children.push(child);
    return child;
  }

  async function lakeEvents(lake: FileLakeStore, dataset: "raw" | "fraud") {
    const keys = (await lake.list(`${dataset}/`)).filter((k) => k.endsWith(".parquet"));
    const events: Array<{ key: string; record: ClickRecord & { risk?: number } }> = [];
    for (const key of keys)
      for (const record of await decodeClicks(await lake.get(key))) events.push({ key, record });
    return { keys, events };
  }

  async function waitFor(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await predicate()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it("holds every event exactly once after a kill -9 mid-hour and a restart", async () => {
    const lake = new FileLakeStore(stack.lakeDir);
    const total = 6000;
    const clicks = Array.from({ length: total }, (_, i) => makeClick(i));
    const fraud = clicks
      .filter((_, i) => i % 20 === 0)
      .map((c) => ({ ...c, risk: 1, reasons: ["declared_bot"] }));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const send = async (topic: string, records: object[]) => {
      for (let i = 0; i < records.length; i += 500) {
        await producer.send({
          topic,
          acks: -1,
          messages: records
            .slice(i, i + 500)
            .map((r) => ({ key: (r as ClickRecord).campaign_id, value: JSON.stringify(r) })),
        });
      }
    };

    // A crash from before this test: a segment written to the lake but never committed.
    const ghost = segmentFileKey("raw", clicks[0]!.ts, 0, "0", "99");
    await lake.put(
      pendingKey("raw", 0, "0"),
      Buffer.from(
        JSON.stringify({
          topic: "x",
          partition: 0,
          firstOffset: "0",
          lastOffset: "99",
          files: [ghost],
        }),
      ),
    );
    await lake.put(ghost, encodeClicks(clicks.slice(0, 50)));

    await send(topicName(stack.topicPrefix, "raw"), clicks.slice(0, 4000));
    await send(topicName(stack.topicPrefix, "fraud"), fraud.slice(0, 100));
    const first = startArchiver(["--roll-events", "400", "--roll-seconds", "600"]);
    // Let it commit a few segments, then kill it while others are open or half written.
    await waitFor(
      async () => (await lake.list("raw/")).length >= 6,
      60_000,
      "the first committed files",
    );
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));

    await send(topicName(stack.topicPrefix, "raw"), clicks.slice(4000));
    await send(topicName(stack.topicPrefix, "fraud"), fraud.slice(100));
    await producer.disconnect();

    const second = startArchiver(["--roll-events", "400", "--roll-seconds", "2"]);
    await waitFor(
      async () => (await lakeEvents(lake, "raw")).events.length >= total,
      90_000,
      "every raw event in the lake",
    );
    await waitFor(
      async () => (await lakeEvents(lake, "fraud")).events.length >= fraud.length,
      30_000,
      "every fraud event in the lake",
    );
    second.kill("SIGTERM");
    const code = await new Promise((r) => second.once("exit", r));
    expect(code).toBe(0);

    const raw = await lakeEvents(lake, "raw");
    const ids = raw.events.map((e) => e.record.event_id);
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(await lake.exists(ghost)).toBe(false);
    for (const { key, record } of raw.events) {
      expect(key.startsWith(hourPrefix("raw", record.ts))).toBe(true);
      expect(record).toEqual(clicks[Number(record.event_id.slice(4))]);
    }
    const fraudBack = await lakeEvents(lake, "fraud");
    expect(fraudBack.events.map((e) => e.record.event_id).sort()).toEqual(
      fraud.map((f) => f.event_id).sort(),
    );
    expect(fraudBack.events.every((e) => e.record.risk === 1)).toBe(true);
    expect(await lake.list("_pending/")).toEqual([]);
  }, 240_000);

  it("consumes a segment again when its timed write fails, and never rewrites what is committed", async () => {
    const prefix = `${stack.topicPrefix}retry.`;
    const config = loadConfig({ ...stack.env, KAFKA_TOPIC_PREFIX: prefix });
    const folder = new FileLakeStore(join(stack.lakeDir, "retry"));
    let failures = 0;
    // The first two Parquet writes fail, as a full disk or an S3 outage would.
    const lake: LakeStore = Object.assign(Object.create(folder) as LakeStore, {
      put: async (key: string, body: Uint8Array) => {
        if (key.endsWith(".parquet") && failures < 2) {
          failures++;
          throw new Error("injected lake outage");
        }
        return folder.put(key, body);
      },
    });
    const registry = createRegistry();
    const archiver = new Archiver({
      config,
      lake,
      logger: createLogger("silent"),
      registry,
      maxSegmentEvents: 1_000_000,
      maxSegmentAgeMs: 400,
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, config, ["raw", "fraud"]);
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const produce = (clicks: ClickRecord[]) =>
      producer.send({
        topic: topicName(prefix, "raw"),
        acks: -1,
        messages: clicks.map((c) => ({ key: c.campaign_id, value: JSON.stringify(c) })),
      });
    await archiver.start();
    try {
      const clicks = Array.from({ length: 1200 }, (_, i) => makeClick(i));
      await produce(clicks);
      await waitFor(
        async () => (await lakeEvents(folder, "raw")).events.length >= clicks.length,
        60_000,
        "every event in the lake after the failed writes",
      );
      expect(failures).toBe(2);
      const ids = (await lakeEvents(folder, "raw")).events.map((e) => e.record.event_id);
      expect(ids.length).toBe(clicks.length);
      expect(new Set(ids).size).toBe(clicks.length);

      // A rewind to below the committed offsets (as a seek kafkajs kept across a rebalance
      // would do) must not write those events again.
      const skipped = async () =>
        (
          await registry.getSingleMetric("adclick_archiver_skipped_committed_total")?.get()
        )?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
      expect(await skipped()).toBe(0);
      const group = (archiver as unknown as { group: ConsumerGroup }).group;
      for (let partition = 0; partition < config.KAFKA_TOPIC_PARTITIONS; partition++)
        expect(group.seek(topicName(prefix, "raw"), partition, "0")).toBe(true);
      const more = Array.from({ length: 300 }, (_, i) => makeClick(5000 + i));
      await produce(more);
      const total = clicks.length + more.length;
      await waitFor(
        async () => (await lakeEvents(folder, "raw")).events.length >= total,
        60_000,
        "the events produced after the rewind",
      );
      // The seek happened: every committed event was fetched again and skipped, none rewritten.
      await waitFor(async () => (await skipped()) >= clicks.length, 30_000, "the rewind");
      expect(await skipped()).toBe(clicks.length);
      await new Promise((r) => setTimeout(r, 1500));
      const after = (await lakeEvents(folder, "raw")).events.map((e) => e.record.event_id);
      expect(after.length).toBe(total);
      expect(new Set(after).size).toBe(total);
    } finally {
      await producer.disconnect();
      await archiver.stop();
    }
    expect(await folder.list("_pending/")).toEqual([]);
  }, 120_000);

  it("writes each (partner_id, event_id) once per partition: copies in one run, and copies after a restart", async () => {
    const prefix = `${stack.topicPrefix}dedupe.`;
    const config = loadConfig({ ...stack.env, KAFKA_TOPIC_PREFIX: prefix });
    const lake = new FileLakeStore(join(stack.lakeDir, "dedupe"));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, config, ["raw", "fraud"]);
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const produce = (clicks: ClickRecord[]) =>
      producer.send({
        topic: topicName(prefix, "raw"),
        acks: -1,
        messages: clicks.map((c) => ({ key: c.campaign_id, value: JSON.stringify(c) })),
      });
    const newArchiver = (registry = createRegistry()) => ({
      registry,
      archiver: new Archiver({
        config,
        lake,
        logger: createLogger("silent"),
        registry,
        maxSegmentEvents: 150,
        maxSegmentAgeMs: 300,
      }),
    });
    const duplicates = async (registry: ReturnType<typeof createRegistry>) =>
      (await registry.getSingleMetric("adclick_archiver_duplicates_total")?.get())?.values.reduce(
        (sum, v) => sum + v.value,
        0,
      ) ?? 0;
    const ids = async () => (await lakeEvents(lake, "raw")).events.map((e) => e.record.event_id);
    const clicks = Array.from({ length: 600 }, (_, i) => makeClick(20_000 + i));
    // The same event id from another partner is another click (C1: the pair is the identity).
    const otherPartner = { ...clicks[0]!, partner_id: "partner-other" };
    try {
      const first = newArchiver();
      await first.archiver.start();
      try {
        // Copies within one batch, and copies a few segments later (an ingest retry).
        await produce([...clicks.slice(0, 300), ...clicks.slice(0, 20)]);
        await produce([...clicks.slice(300), ...clicks.slice(100, 130), otherPartner]);
        await waitFor(async () => (await ids()).length >= 601, 60_000, "the first run's events");
        await waitFor(async () => (await duplicates(first.registry)) >= 50, 30_000, "the copies");
        expect(await duplicates(first.registry)).toBe(50);
      } finally {
        await first.archiver.stop();
      }
      // Copies produced while no archiver runs: a new process must know them from Kafka.
      const later = Array.from({ length: 50 }, (_, i) => makeClick(21_000 + i));
      await produce([...clicks.slice(200, 240), ...later, ...clicks.slice(590)]);
      const second = newArchiver();
      await second.archiver.start();
      try {
        await waitFor(async () => (await ids()).length >= 651, 60_000, "the later events");
        await waitFor(async () => (await duplicates(second.registry)) >= 50, 30_000, "the copies");
        await new Promise((r) => setTimeout(r, 1000));
        expect(await duplicates(second.registry)).toBe(50);
      } finally {
        await second.archiver.stop();
      }
      const events = (await lakeEvents(lake, "raw")).events;
      const pairs = events.map((e) => `${e.record.partner_id}/${e.record.event_id}`);
      expect(pairs.length).toBe(651);
      expect(new Set(pairs).size).toBe(651);
      expect(pairs).toContain(`partner-other/${clicks[0]!.event_id}`);
    } finally {
      await producer.disconnect();
    }
    expect(await lake.list("_pending/")).toEqual([]);
  }, 180_000);
});
