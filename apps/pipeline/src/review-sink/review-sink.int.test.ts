import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { connectDb, type DbConnection } from "@adclick/db/client";
import { decideReviewItem, getReviewItem } from "@adclick/db/queries";
import { reviewQueue } from "@adclick/db/schema";
import { type ClickRecord, groupName, topicName } from "@adclick/shared";
import { type Admin, CompressionTypes, type Producer } from "kafkajs";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createKafka } from "../kafka/client";
import type { Component } from "../runtime/component";
import { createLogger } from "../runtime/logger";
import { createReviewSink } from "./review-sink";

let stack: TestStack;
let conn: DbConnection;
let producer: Producer;
let admin: Admin;
let topic: string;

function flagged(eventId: string, overrides: Partial<ClickRecord & { risk: number }> = {}) {
  const click: ClickRecord = {
    event_id: eventId,
    partner_id: "partner-a",
    campaign_id: "camp-1",
    advertiser_id: "adv-1",
    ad_id: "ad-1",
    user_id: `user-${eventId}`,
    ip: "198.51.100.7",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64)",
    ts: Date.UTC(2026, 10, 28, 9, 30),
    received_at: Date.UTC(2026, 10, 28, 9, 30, 1),
    country: "DE",
    device: "desktop",
    publisher_id: null,
    referrer: null,
    cost_micros: 450_000,
  };
  const message = { ...click, risk: 0.5, reasons: ["data_centre_ip"], ...overrides };
  return { key: message.campaign_id, value: JSON.stringify(message) };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** True once the sink's group has committed every message on the topic. */
async function allCommitted(): Promise<boolean> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({
      groupId: groupName(stack.config.KAFKA_TOPIC_PREFIX, "review-sink"),
      topics: [topic],
    }),
  ]);
  const done = new Map(committed[0]!.partitions.map((p) => [p.partition, BigInt(p.offset)]));
  return ends.every(
    (e) => BigInt(e.high) === 0n || (done.get(e.partition) ?? -1n) >= BigInt(e.high),
  );
}

async function countMetric(registry: Registry, outcome: string): Promise<number> {
  const metric = await registry.getSingleMetric("adclick_review_sink_messages_total")!.get();
  return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const rows = () => conn.db.select().from(reviewQueue).orderBy(reviewQueue.eventId);

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 2 });
  topic = topicName(stack.config.KAFKA_TOPIC_PREFIX, "flagged");
  const kafka = createKafka(stack.config, "review-sink-test");
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.disconnect();
  await conn?.close();
  await stack?.cleanup();
});

describe("review sink", () => {
  const logger = createLogger("silent");
  let sink: Component;
  let registry: Registry;

  it("queues flagged clicks once, skips bad messages and commits after writing", async () => {
    registry = new Registry();
    sink = createReviewSink({ config: stack.config, logger, registry });
    await sink.start(); // creates the topic
    await producer.send({
      topic,
      messages: [
        flagged("e1"),
        flagged("e2", { risk: 0.61 }),
        flagged("e1"),
        { key: "camp-1", value: "{not json" },
        flagged("e3"),
      ],
    });
    await waitFor("all offsets committed", allCommitted);
    expect(sink.ready()).toBe(true);

    const queued = await rows();
    expect(queued.map((r) => [r.eventId, r.status, r.risk])).toEqual([
      ["e1", "pending", 0.5],
      ["e2", "pending", expect.closeTo(0.61, 5)],
      ["e3", "pending", 0.5],
    ]);
    expect(queued[0]).toMatchObject({
      partnerId: "partner-a",
      campaignId: "camp-1",
      advertiserId: "adv-1",
      clickTs: new Date(Date.UTC(2026, 10, 28, 9, 30)),
      reasons: ["data_centre_ip"],
      click: expect.objectContaining({ event_id: "e1", ip: "198.51.100.7", cost_micros: 450_000 }),
    });
    expect(await countMetric(registry, "queued")).toBe(3);
    expect(await countMetric(registry, "duplicate")).toBe(1);
    expect(await countMetric(registry, "invalid")).toBe(1);
  });

  it("never overwrites an analyst's decision when a message is redelivered", async () => {
    await decideReviewItem(conn.db, {
      partnerId: "partner-a",
      eventId: "e2",
      status: "fraud",
      actor: "analyst@demo.adclick",
      note: "same device, 40 campaigns",
    });
    await producer.send({ topic, messages: [flagged("e2", { risk: 0.35 })] });
    await waitFor("the redelivery to be committed", allCommitted);

    const e2 = await getReviewItem(conn.db, { partnerId: "partner-a", eventId: "e2" });
    expect(e2).toMatchObject({
      status: "fraud",
      decidedBy: "analyst@demo.adclick",
      risk: expect.closeTo(0.61, 5),
    });
    expect(await countMetric(registry, "duplicate")).toBe(2);
    await sink.stop();
    expect(sink.ready()).toBe(false);
  });

  it("resumes after a restart from the committed offsets, without reprocessing (LZ4 batch)", async () => {
    // The aggregator may compress with LZ4 (C2); the sink registered the codec when it started.
    await producer.send({ topic, compression: CompressionTypes.LZ4, messages: [flagged("e4")] });
    const again = new Registry();
    const restarted = createReviewSink({ config: stack.config, logger, registry: again });
    await restarted.start();
    try {
      await waitFor("e4", async () => (await rows()).some((r) => r.eventId === "e4"));
      await waitFor("all offsets committed", allCommitted);
      expect(await countMetric(again, "queued")).toBe(1);
      expect(await countMetric(again, "duplicate")).toBe(0);
    } finally {
      await restarted.stop();
    }
  });

  it("runs as `adclick review-sink` with health routes and stops on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL("../../bin/adclick.mjs", import.meta.url)),
        "review-sink",
        "--ops-port",
        String(port),
      ],
      {
        env: { PATH: process.env.PATH ?? "", ...stack.env },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      await waitFor(
        "/readyz",
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
          return res?.status === 200;
        },
        60_000,
      );
      await producer.send({ topic, messages: [flagged("e5")] });
      await waitFor("e5", async () => (await rows()).some((r) => r.eventId === "e5"));
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        /^adclick_review_sink_messages_total\{(?=[^}]*outcome="queued")[^}]*\} 1$/m,
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, stderr).toBe(0);
    expect(await allCommitted()).toBe(true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
