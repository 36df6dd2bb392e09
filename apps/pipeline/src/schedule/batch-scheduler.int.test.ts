import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connectDb, type DbConnection } from "@adclick/db/client";
import { type BatchRun, listBatchRuns, listBillingDay } from "@adclick/db/queries";
import { type ClickRecord, groupName, topicName } from "@adclick/shared";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createKafka } from "../kafka/client";
import { encodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import { segmentFileKey } from "../lake/lake-layout";
import { createBatchScheduler } from "./batch-scheduler";

const BIN = fileURLToPath(new URL("../../bin/adclick.mjs", import.meta.url));

/** The scheduler's clock: 03:00 UTC on 5 March 2026 when the test starts, then running. */
const START = Date.parse("2026-03-05T03:00:00Z");

const clicks = (day: string, n: number, tag: string): ClickRecord[] =>
  Array.from({ length: n }, (_, i) => {
    const ts = Date.parse(`${day}T10:00:00Z`) + i * 1000;
    return {
      event_id: `${tag}-${i}`,
      partner_id: "partner-1",
      campaign_id: "cmp-a",
      advertiser_id: "adv-1",
      ad_id: "ad-1",
      user_id: `user-${i}`,
      ip: `10.4.0.${i + 1}`,
      user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
      ts,
      received_at: ts + 100,
      country: "US",
      device: "desktop",
      publisher_id: null,
      referrer: null,
      cost_micros: 1_000,
    };
  });

const put = (lake: FileLakeStore, first: number, records: ClickRecord[]) =>
  lake.put(
    segmentFileKey("raw", records[0]!.ts, 0, String(first), String(first + records.length - 1)),
    encodeClicks(records),
  );

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const billedClicks = async (conn: DbConnection, day: string) =>
  (await listBillingDay(conn.db, day)).find((r) => r.dimension === "all")?.clicks;

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "info" }, { write: (l: string) => lines.push(JSON.parse(l)) });
  return { logger, lines };
}

const metric = async (registry: Registry, name: string) => {
  const text = await registry.getSingleMetricAsString(name);
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
};

describe("nightly scheduler: each open day on its own (C11)", () => {
  let stack: TestStack;
  let conn: DbConnection;
  let lake: FileLakeStore;

  beforeAll(async () => {
    stack = await createTestStack();
    conn = connectDb(stack.config.DATABASE_URL, { max: 3 });
    lake = new FileLakeStore(stack.lakeDir);
  });
  afterAll(async () => {
    await conn?.close();
    await stack?.cleanup();
  });

  it("bills every open day, retries a failing one without blocking the next, alerts, and re-bills a day that gained files", async () => {
    await put(lake, 0, clicks("2026-03-02", 5, "a"));
    const brokenKey = segmentFileKey("raw", Date.parse("2026-03-03T10:00:00Z"), 0, "100", "103");
    await lake.put(brokenKey, new TextEncoder().encode("not a parquet file"));
    await put(lake, 200, clicks("2026-03-04", 3, "c"));

    const { logger, lines } = captureLogs();
    const registry = new Registry();
    const t0 = Date.now();
    const scheduler = createBatchScheduler({
      config: stack.config,
      logger,
      registry,
      cwd: process.cwd(),
      batchAt: "02:00",
      now: () => START + (Date.now() - t0),
      wakeEveryMs: 300,
      retryBaseMs: 200,
      alertAfterFailures: 3,
    });
    await scheduler.start();
    try {
      const runs = () => listBatchRuns(conn.db, 500);
      const days = (rs: BatchRun[], status: string) =>
        [...new Set(rs.filter((r) => r.status === status).map((r) => r.day))].sort();
      // The seven open days (each stays open 7 days after it ends), all but the broken one billed.
      await until(
        "the open days billed",
        async () => {
          const rs = await runs();
          return days(rs, "succeeded").length >= 6 &&
            rs.filter((r) => r.day === "2026-03-03" && r.status === "failed").length >= 3 &&
            lines.some((l) => l.alert === "batch_day_failing")
            ? rs
            : undefined;
        },
        30_000,
      ).catch(async (err) => {
        expect(days(await runs(), "succeeded")).toEqual([
          "2026-02-26",
          "2026-02-27",
          "2026-02-28",
          "2026-03-01",
          "2026-03-02",
          "2026-03-04",
        ]);
        throw err;
      });
      const rs = await runs();
      expect(days(rs, "succeeded")).toEqual([
        "2026-02-26",
        "2026-02-27",
        "2026-02-28",
        "2026-03-01",
        "2026-03-02",
        "2026-03-04",
      ]);
      expect(days(rs, "failed")).toEqual(["2026-03-03"]);
      expect(await billedClicks(conn, "2026-03-02")).toBe(5);
      expect(await billedClicks(conn, "2026-03-04")).toBe(3);
      const alert = lines.find((l) => l.alert === "batch_day_failing")!;
      expect(alert).toMatchObject({ level: 50, day: "2026-03-03", failures: 3 });
      expect(String(alert.msg)).toMatch(/^nightly batch of 2026-03-03 failed 3 times in a row/);
      await until("the failing gauge", async () =>
        (await metric(registry, "adclick_batch_days_failing")) === 1 ? true : undefined,
      );

      // The broken file is rewritten: the day is billed and the alert clears.
      await put(lake, 100, clicks("2026-03-03", 4, "b"));
      expect(await until("2026-03-03 billed", () => billedClicks(conn, "2026-03-03"))).toBe(4);
      await until("the alert cleared", async () =>
        (await metric(registry, "adclick_batch_days_failing")) === 0 ? true : undefined,
      );

      // Late clicks of 2026-03-02 reach the lake: the day is billed again, replaced (7, not 12).
      await put(lake, 300, clicks("2026-03-02", 2, "late"));
      await until("2026-03-02 re-billed", async () =>
        (await billedClicks(conn, "2026-03-02")) === 7 ? true : undefined,
      );
      expect(await billedClicks(conn, "2026-03-02")).toBe(7);
    } finally {
      await scheduler.stop();
    }
  }, 120_000);
});

describe("nightly scheduler: a day is billed only when the lake is complete for it (C11)", () => {
  let stack: TestStack;
  let conn: DbConnection;
  let lake: FileLakeStore;

  beforeAll(async () => {
    stack = await createTestStack();
    conn = connectDb(stack.config.DATABASE_URL, { max: 3 });
    lake = new FileLakeStore(stack.lakeDir);
  });
  afterAll(async () => {
    await conn?.close();
    await stack?.cleanup();
  });

  it("waits, saying so, until the archiver's committed offsets pass every message received before the day's end plus grace", async () => {
    const topic = topicName(stack.config.KAFKA_TOPIC_PREFIX, "raw");
    const groupId = groupName(stack.config.KAFKA_TOPIC_PREFIX, "archiver");
    const kafka = createKafka(stack.config, "batch-scheduler-test");
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      // Two clicks received on 4 March, one (a late one for 4 March) on 5 March 00:05, inside the grace.
      await producer.send({
        topic,
        messages: [
          { key: "cmp-a", value: "{}", timestamp: String(Date.parse("2026-03-04T10:00:00Z")) },
          { key: "cmp-a", value: "{}", timestamp: String(Date.parse("2026-03-04T10:00:01Z")) },
          { key: "cmp-a", value: "{}", timestamp: String(Date.parse("2026-03-05T00:05:00Z")) },
        ],
      });
      await put(lake, 0, clicks("2026-03-04", 2, "w"));
      // The archiver has committed only the first message.
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "1" }] });

      const { logger } = captureLogs();
      const registry = new Registry();
      const t0 = Date.now();
      const scheduler = createBatchScheduler({
        config: stack.config,
        logger,
        registry,
        cwd: process.cwd(),
        batchAt: "02:00",
        now: () => START + (Date.now() - t0),
        wakeEveryMs: 300,
        retryBaseMs: 200,
      });
      await scheduler.start();
      try {
        const runsOf = async (day: string) =>
          (await listBatchRuns(conn.db, 500)).filter((r) => r.day === day);
        const waiting = await until("2026-03-04 waiting", async () =>
          (await runsOf("2026-03-04")).find((r) => r.status === "waiting"),
        );
        expect(waiting.error).toBe(
          `lake incomplete: ${topic} partition 0 committed 1 of 3 (messages received before 2026-03-05T00:10:00.000Z)`,
        );
        // 3 March's cutoff is before every message: complete.
        await until("2026-03-03 billed", async () =>
          (await runsOf("2026-03-03")).some((r) => r.status === "succeeded") ? true : undefined,
        );
        expect((await runsOf("2026-03-04")).map((r) => r.status)).toEqual(["waiting"]);
        expect(await billedClicks(conn, "2026-03-04")).toBeUndefined();
        await until("the waiting gauge", async () =>
          (await metric(registry, "adclick_batch_days_waiting")) === 1 ? true : undefined,
        );

        // By hand, `adclick batch --require-complete` refuses the day for the same reason.
        const cli = spawnSync(
          process.execPath,
          [BIN, "batch", "--date", "2026-03-04", "--require-complete"],
          { env: { ...process.env, ...stack.env }, encoding: "utf8" },
        );
        expect(cli.status).toBe(1);
        expect(cli.stderr).toBe(`adclick: 2026-03-04 not billed: ${waiting.error}\n`);

        await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "3" }] });
        expect(await until("2026-03-04 billed", () => billedClicks(conn, "2026-03-04"))).toBe(2);
        await until("the waiting gauge cleared", async () =>
          (await metric(registry, "adclick_batch_days_waiting")) === 0 ? true : undefined,
        );
      } finally {
        await scheduler.stop();
      }
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 120_000);
});
