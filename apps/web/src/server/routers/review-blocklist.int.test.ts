/**
 * A blocklist entry added from the dashboard takes effect in a running
 * aggregator within 30 s, and stops applying once removed: the router's own
 * procedures, as an analyst over the web's database role, against a real
 * `adclick aggregate` with its default refresh.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { connectDb, type DbConnection } from "@adclick/db/client";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { type ClickRecord, dayCounterKey, topicName } from "@adclick/shared";
import { Redis } from "ioredis";
import { Kafka, logLevel, type Producer } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickRecord } from "../../../../../test/click-record";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import { createCaller } from "../root";

const BIN = resolve(import.meta.dirname, "../../../../pipeline/bin/adclick.mjs");
const FARM_IP = "203.0.113.77";
const CLEAN_IP = "198.51.100.1";
const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
/** What the aggregators promise: a change applies within 30 s (C8). */
const TAKES_EFFECT_MS = 30_000;

let stack: TestStack;
let web: DbConnection;
let redis: Redis;
let producer: Producer;
let aggregator: ChildProcess;
const stderr: string[] = [];

const analyst = () =>
  createCaller({
    session: { user: { id: 1, email: "ana@example.com", role: "analyst", advertiserId: null } },
    db: web.db,
    source: "test",
  });

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer();
    srv.listen(0, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
/** Sends one click from `ip` now and returns its event id. */
async function click(ip: string): Promise<string> {
  const now = Date.now();
  const record: ClickRecord = clickRecord(now, {
    event_id: `bl-${++seq}`,
    ip,
    user_id: `u${seq}`,
    user_agent: BROWSER,
  });
  await producer.send({
    topic: topicName(stack.topicPrefix, "raw"),
    acks: -1,
    messages: [{ key: record.campaign_id, value: JSON.stringify(record) }],
  });
  return record.event_id;
}

async function dayTotals(): Promise<{ clicks: number; fraud: number }> {
  const h = await redis.hgetall(dayCounterKey("c1", Date.now(), "all"));
  return { clicks: Number(h.clicks ?? 0), fraud: Number(h.fraud ?? 0) };
}

/** Sends a click from `ip` every second until the day's totals satisfy `done`; the time it took. */
async function clickUntil(
  ip: string,
  done: (
    before: { clicks: number; fraud: number },
    now: { clicks: number; fraud: number },
  ) => boolean,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < TAKES_EFFECT_MS + 15_000) {
    const before = await dayTotals();
    await click(ip);
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      const now = await dayTotals();
      if (now.clicks + now.fraud > before.clicks + before.fraud) {
        if (done(before, now)) return Date.now() - started;
        break;
      }
      await sleep(100);
    }
    await sleep(700);
  }
  throw new Error(`no effect after ${TAKES_EFFECT_MS + 15_000} ms: ${stderr.join("")}`);
}

beforeAll(async () => {
  stack = await createTestStack();
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  redis = new Redis(stack.config.REDIS_URL);
  const kafka = new Kafka({
    brokers: stack.config.KAFKA_BROKERS,
    clientId: "blocklist-test",
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: topicName(stack.topicPrefix, "raw"), numPartitions: 1 }],
  });
  await admin.disconnect();
  const port = await freePort();
  // The default refresh: what a deployed aggregator does.
  aggregator = spawn(process.execPath, [BIN, "aggregate", "--ops-port", String(port)], {
    env: { ...process.env, ...stack.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  aggregator.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
  aggregator.stdout!.on("data", (d: Buffer) => stderr.push(d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (aggregator.exitCode !== null) throw new Error(`aggregator exited: ${stderr.join("")}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`aggregator not ready: ${stderr.join("")}`);
    await sleep(200);
  }
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 90_000);

afterAll(async () => {
  await producer?.disconnect();
  if (aggregator && aggregator.exitCode === null) {
    aggregator.kill("SIGTERM");
    await new Promise((r) => aggregator.once("exit", r));
  }
  await redis?.quit();
  await web?.close();
  await stack?.cleanup();
}, 60_000);

describe("blocklist management from the dashboard", () => {
  it("an entry added by an analyst is applied by a running aggregator within 30 s, and a removal too", async () => {
    // Before: the farm's clicks count.
    await clickUntil(FARM_IP, (b, n) => n.clicks === b.clicks + 1 && n.fraud === b.fraud);

    const entry = await analyst().review.blockAdd({
      kind: "cidr",
      value: " 203.0.113.0/24 ",
      reason: "click farm",
    });
    expect(entry).toMatchObject({ value: "203.0.113.0/24", createdBy: "ana@example.com" });
    const tookMs = await clickUntil(
      FARM_IP,
      (b, n) => n.fraud === b.fraud + 1 && n.clicks === b.clicks,
    );
    expect(tookMs).toBeLessThan(TAKES_EFFECT_MS);
    // Only the blocked network: another address still counts.
    await clickUntil(CLEAN_IP, (b, n) => n.clicks === b.clicks + 1 && n.fraud === b.fraud);

    await analyst().review.blockRemove({ id: entry.id });
    const liftedMs = await clickUntil(
      FARM_IP,
      (b, n) => n.clicks === b.clicks + 1 && n.fraud === b.fraud,
    );
    expect(liftedMs).toBeLessThan(TAKES_EFFECT_MS);
  }, 180_000);
});
