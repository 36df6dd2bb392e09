import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  createAdvertiser,
  createCampaign,
  createPartner,
  replaceBillingDay,
} from "@adclick/db/queries";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { kafkaPartitionOf } from "@adclick/shared/live-counters";
import { TRPCError } from "@trpc/server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import type { Session } from "../auth/session-user";
import type { LiveSource } from "../live/live-source";
import { createCallerFactory, createTRPCRouter } from "../trpc";
import { makeCampaignsRouter } from "./campaigns";

const NOW = Date.UTC(2026, 11, 2, 10, 7); // 2026-12-02 10:07 UTC, in the 10:05 window
const PARTITIONS = 4;

let stack: TestStack;
let conn: DbConnection;
/** The web's own connection: the role row-level security applies to. */
let web: DbConnection;
let redis: Redis;
let live: LiveSource;

const advertiserUser = (id: number, advertiserId: string): Session => ({
  user: { id, email: `${advertiserId}@example.com`, role: "advertiser", advertiserId },
});
const acme = advertiserUser(1, "acme");
const globex = advertiserUser(2, "globex");

function caller(session: Session | null) {
  const router = createTRPCRouter({
    campaigns: makeCampaignsRouter(
      () => live,
      () => NOW,
    ),
  });
  return createCallerFactory(router)({ session, db: web.db, source: "test" }).campaigns;
}

async function put(key: string, f: { clicks: number; uu: number; cost: number; fraud?: number }) {
  await redis.hset(key, {
    clicks: f.clicks,
    unique_users: f.uu,
    cost_micros: f.cost,
    suspicious: 0,
    fraud: f.fraud ?? 0,
  });
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return (error as TRPCError).code;
}

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 4 });
  web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  redis = new Redis(stack.config.REDIS_URL);
  live = { redis, topicPrefix: stack.topicPrefix, numPartitions: PARTITIONS };
  const db = conn.db;
  await createAdvertiser(db, { id: "acme", name: "Acme" });
  await createAdvertiser(db, { id: "globex", name: "Globex" });
  const campaign = (id: string, advertiserId: string, name: string) =>
    createCampaign(db, {
      id,
      advertiserId,
      name,
      cpcMicros: 500_000,
      landingUrl: `https://example.com/${id}`,
    });
  await campaign("acme-b", "acme", "Acme Spring");
  await campaign("acme-a", "acme", "Acme Autumn");
  await campaign("globex-x", "globex", "Globex X");
  await createPartner(db, { id: "p-1", name: "Partner One" });

  await put("counter:{acme-a}:20261202:all", { clicks: 30, uu: 20, cost: 15_000_000, fraud: 10 });
  await put("counter:{acme-b}:20261201:all", { clicks: 99, uu: 99, cost: 1 }); // yesterday: not in the list
  await put("counter:{globex-x}:20261202:all", { clicks: 5, uu: 5, cost: 2_500_000 });
  await put("counter:{acme-a}:202612021000:all", { clicks: 4, uu: 3, cost: 2_000_000 });
  await put("counter:{acme-a}:202612021005:all", { clicks: 2, uu: 2, cost: 1_000_000 });
  await put("counter:{acme-a}:202612011010:all", { clicks: 1, uu: 1, cost: 500_000 }); // 10:10 yesterday: first window of the 24 h
  await put("counter:{acme-a}:20261202:country:DE", { clicks: 30, uu: 20, cost: 15_000_000 });
  await put("counter:{acme-a}:20261202:device:mobile", { clicks: 30, uu: 20, cost: 15_000_000 });
  await put("counter:{acme-a}:20261202:partner:p-1", { clicks: 30, uu: 20, cost: 15_000_000 });
  // The aggregator has counted acme-a's partition up to 10:04:59: the 10:00 window is still open.
  await redis.hset(`aggwatermark:${stack.topicPrefix}clicks.raw`, {
    [kafkaPartitionOf("acme-a", PARTITIONS)]: Date.UTC(2026, 11, 2, 10, 4, 59),
  });
  await replaceBillingDay(
    conn.pool,
    "2026-11-30",
    [
      {
        campaignId: "acme-a",
        advertiserId: "acme",
        dimension: "all",
        clicks: 100,
        uniqueUsers: 70,
        costMicros: 50_000_000,
        fraudClicks: 6,
        suspiciousClicks: 0,
      },
    ],
    null,
  );
});

afterAll(async () => {
  await redis?.quit();
  await conn?.close();
  await web?.close();
  await stack?.cleanup();
});

describe("campaigns.list", () => {
  it("lists only the caller's campaigns with today's totals and fraud rate", async () => {
    const list = await caller(acme).list();
    expect(list).toEqual({
      dayStartMs: Date.UTC(2026, 11, 2),
      campaigns: [
        {
          id: "acme-a",
          name: "Acme Autumn",
          status: "active",
          clicks: 30,
          uniqueUsers: 20,
          costMicros: 15_000_000,
          suspicious: 0,
          fraud: 10,
          fraudRate: 0.25,
        },
        {
          id: "acme-b",
          name: "Acme Spring",
          status: "active",
          clicks: 0,
          uniqueUsers: 0,
          costMicros: 0,
          suspicious: 0,
          fraud: 0,
          fraudRate: 0,
        },
      ],
    });
    expect((await caller(globex).list()).campaigns.map((c) => c.id)).toEqual(["globex-x"]);
  });

  it("refuses anonymous callers and other roles", async () => {
    expect(await codeOf(caller(null).list())).toBe("UNAUTHORIZED");
    const analyst: Session = {
      user: { id: 9, email: "ana@example.com", role: "analyst", advertiserId: null },
    };
    expect(await codeOf(caller(analyst).list())).toBe("FORBIDDEN");
  });
});

describe("another tenant's campaign", () => {
  it("is NOT_FOUND for every campaign procedure, like an unknown id", async () => {
    const other = caller(globex);
    for (const id of ["acme-a", "no-such-campaign"]) {
      expect(await codeOf(other.byId({ id }))).toBe("NOT_FOUND");
      expect(await codeOf(other.liveSeries({ id }))).toBe("NOT_FOUND");
      expect(await codeOf(other.breakdown({ id }))).toBe("NOT_FOUND");
      expect(await codeOf(other.dailyHistory({ id, from: "2026-11-30", to: "2026-12-02" }))).toBe(
        "NOT_FOUND",
      );
    }
  });
});

describe("campaigns.liveSeries", () => {
  it("answers 288 five-minute windows ending with the current one, open past the watermark", async () => {
    const s = await caller(acme).liveSeries({ id: "acme-a" });
    expect(s.windows).toHaveLength(288);
    expect(s.watermarkMs).toBe(Date.UTC(2026, 11, 2, 10, 4, 59));
    expect(s.windows[0]).toEqual({
      windowStartMs: Date.UTC(2026, 11, 1, 10, 10),
      clicks: 1,
      uniqueUsers: 1,
      costMicros: 500_000,
      suspicious: 0,
      fraud: 0,
      open: false,
    });
    expect(s.windows.at(-2)).toMatchObject({
      windowStartMs: Date.UTC(2026, 11, 2, 10, 0),
      clicks: 4,
      uniqueUsers: 3,
      costMicros: 2_000_000,
      open: true,
    });
    expect(s.windows.at(-1)).toMatchObject({
      windowStartMs: Date.UTC(2026, 11, 2, 10, 5),
      clicks: 2,
      open: true,
    });
    expect(s.windows.filter((w) => w.open)).toHaveLength(2);
    expect(s.windows.reduce((sum, w) => sum + w.clicks, 0)).toBe(7);
  });
});

describe("campaigns.breakdown", () => {
  it("answers today's counters by country, device and partner", async () => {
    const b = await caller(acme).breakdown({ id: "acme-a" });
    const row = { clicks: 30, uniqueUsers: 20, costMicros: 15_000_000, suspicious: 0, fraud: 0 };
    expect(b.breakdown).toEqual({
      country: [{ value: "DE", ...row }],
      device: [{ value: "mobile", ...row }],
      partner: [{ value: "p-1", ...row }],
    });
  });
});

describe("campaigns.dailyHistory", () => {
  it("takes billed days from billing_daily and the live day from Redis", async () => {
    const h = await caller(acme).dailyHistory({
      id: "acme-a",
      from: "2026-11-30",
      to: "2026-12-02",
    });
    expect(h.days).toEqual([
      {
        day: "2026-11-30",
        source: "billed",
        clicks: 100,
        uniqueUsers: 70,
        costMicros: 50_000_000,
        fraud: 6,
      },
      { day: "2026-12-01", source: "live", clicks: 0, uniqueUsers: 0, costMicros: 0, fraud: 0 },
      {
        day: "2026-12-02",
        source: "live",
        clicks: 30,
        uniqueUsers: 20,
        costMicros: 15_000_000,
        fraud: 10,
      },
    ]);
  });

  it("refuses a range that ends before it starts, naming to", async () => {
    const error = await caller(acme)
      .dailyHistory({ id: "acme-a", from: "2026-12-02", to: "2026-12-01" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    expect((error as TRPCError).message).toContain("from must not be after to");
  });
});
