import { connectDb, type DbConnection } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { staffScope, WEB_DB_ROLE } from "@adclick/db/scope";
import { trafficKey } from "@adclick/shared/partner-traffic";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import type { LiveSource } from "../live/live-source";
import { webKafka } from "./consumer-lag";
import { systemOverview } from "./system-overview";

const NOW = Date.UTC(2026, 11, 3, 7, 10, 20);

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;
let redis: Redis;
let live: LiveSource;

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  redis = new Redis(stack.config.REDIS_URL);
  live = { redis, topicPrefix: stack.topicPrefix, numPartitions: 4 };
  await createAdvertiser(owner.db, { id: "acme", name: "Acme" });
  await createCampaign(owner.db, {
    id: "acme-1",
    advertiserId: "acme",
    name: "Acme 1",
    cpcMicros: 100_000,
    landingUrl: "https://example.com/",
  });
  await createPartner(owner.db, { id: "p-a", name: "A" });
  await createPartner(owner.db, { id: "p-b", name: "B" });
  await redis.hset(trafficKey("p-a", Date.UTC(2026, 11, 3, 7, 9)), { accepted: 5, rejected: 1 });
  await redis.hset(trafficKey("p-b", Date.UTC(2026, 11, 3, 7, 9)), { accepted: 3, throttled: 2 });
  await redis.hset("counter:{acme-1}:20261203:all", { clicks: 90, fraud: 10 });
  await redis.hset(`aggwatermark:${stack.topicPrefix}clicks.raw`, {
    0: NOW - 4_000,
    1: NOW - 9_000,
  });
  await owner.pool.query(
    `insert into batch_runs (day, status, finished_at, events_in, duration_ms) values ('2026-12-02', 'succeeded', now(), 100, 1500)`,
  );
  await owner.pool.query(
    `insert into reconciliation_results (day, campaign_id, live_clicks, billed_clicks, live_cost_micros, billed_cost_micros, discrepancy, threshold_exceeded)
     values ('2026-12-02', 'acme-1', 110, 100, 0, 0, 0.1, true)`,
  );
});

afterAll(async () => {
  await redis?.quit();
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("system overview", () => {
  it("sums ingest traffic, reads lag, fraud, accuracy and batch runs, as an analyst", async () => {
    const o = await systemOverview(
      {
        db: web.db,
        live,
        kafka: webKafka(stack.config.KAFKA_BROKERS),
        ingestUrl: "http://127.0.0.1:1",
      },
      staffScope("analyst"),
      NOW,
    );
    const minute = o.ingest.find((m) => m.minuteStartMs === Date.UTC(2026, 11, 3, 7, 9));
    expect(minute).toEqual({
      minuteStartMs: Date.UTC(2026, 11, 3, 7, 9),
      accepted: 8,
      rejected: 1,
      throttled: 2,
    });
    expect(o.eventTimeLagSeconds).toBe(4);
    expect(o.fraudToday).toEqual({ clicks: 90, fraud: 10, rate: 0.1 });
    expect(o.accuracy).toEqual([
      { day: "2026-12-02", liveClicks: 110, billedClicks: 100, discrepancy: 0.1 },
    ]);
    expect(o.batchRuns).toMatchObject([{ day: "2026-12-02", status: "succeeded", eventsIn: 100 }]);
    expect(o.consumers?.map((c) => c.role)).toEqual(["aggregator", "archiver", "review-sink"]);
    const health = Object.fromEntries(o.services.map((s) => [s.name, s.ok]));
    expect(health).toMatchObject({ Postgres: true, Redis: true, Kafka: true, Ingest: false });
    // No role runs in this test: every consumer group is reported down.
    expect(health).toMatchObject({ aggregator: false, archiver: false, "review-sink": false });
  });

  it("reports an unreachable Kafka as down instead of failing", async () => {
    const o = await systemOverview(
      {
        db: web.db,
        live,
        kafka: new Kafka({
          brokers: ["127.0.0.1:1"],
          retry: { retries: 0 },
          connectionTimeout: 500,
          logLevel: logLevel.NOTHING,
        }),
        ingestUrl: "http://127.0.0.1:1",
      },
      staffScope("finance"),
      NOW,
    );
    expect(o.consumers).toBeNull();
    expect(o.services.find((s) => s.name === "Kafka")).toMatchObject({ ok: false });
    expect(o.services.find((s) => s.name === "Postgres")).toMatchObject({ ok: true });
  });
});
