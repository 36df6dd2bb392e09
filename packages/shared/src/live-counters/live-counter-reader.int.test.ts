import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { ZERO_COUNTERS } from "./counter-values";
import { kafkaPartitionOf } from "./kafka-partition";
import {
  campaignWatermarkMs,
  readBreakdown,
  readDaySeries,
  readDayTotals,
  readWatermarks,
  readWindowSeries,
  scanDayTotalCampaigns,
} from "./live-counter-reader";

let stack: TestStack;
let redis: Redis;

beforeAll(async () => {
  stack = await createTestStack({ database: false });
  redis = new Redis(stack.config.REDIS_URL);
});
afterAll(async () => {
  await redis?.quit();
  await stack?.cleanup();
});
beforeEach(async () => {
  // Only this file's own keys: the stack's lock and marker stay.
  const keys = await redis.keys("counter:*");
  const more = await redis.keys("aggwatermark:*");
  if (keys.length + more.length) await redis.del(...keys, ...more);
});

/** Writes a counter hash the way the aggregator leaves it (C3 field names). */
async function put(
  key: string,
  f: { clicks: number; uu: number; cost: number; sus?: number; fraud?: number },
) {
  await redis.hset(key, {
    clicks: f.clicks,
    unique_users: f.uu,
    cost_micros: f.cost,
    suspicious: f.sus ?? 0,
    fraud: f.fraud ?? 0,
  });
}

const T0 = Date.UTC(2026, 11, 2, 10, 0); // 2026-12-02 10:00 UTC

describe("readWindowSeries", () => {
  it("reads every 5-minute window of the range, zeros where no key exists", async () => {
    await put("counter:{c1}:202612021000:all", {
      clicks: 7,
      uu: 5,
      cost: 3_500_000,
      sus: 1,
      fraud: 2,
    });
    await put("counter:{c1}:202612021010:all", { clicks: 1, uu: 1, cost: 500_000 });
    await put("counter:{c1}:202612021010:country:DE", { clicks: 1, uu: 1, cost: 500_000 });
    await put("counter:{c2}:202612021005:all", { clicks: 99, uu: 99, cost: 1 });

    const series = await readWindowSeries(redis, "c1", {
      fromMs: T0 + 60_000,
      toMs: T0 + 15 * 60_000,
    });
    expect(series).toEqual([
      {
        windowStartMs: T0,
        clicks: 7,
        uniqueUsers: 5,
        costMicros: 3_500_000,
        suspicious: 1,
        fraud: 2,
      },
      { windowStartMs: T0 + 5 * 60_000, ...ZERO_COUNTERS },
      {
        windowStartMs: T0 + 10 * 60_000,
        clicks: 1,
        uniqueUsers: 1,
        costMicros: 500_000,
        suspicious: 0,
        fraud: 0,
      },
    ]);
    const de = await readWindowSeries(
      redis,
      "c1",
      { fromMs: T0 + 10 * 60_000, toMs: T0 + 11 * 60_000 },
      "country:DE",
    );
    expect(de).toEqual([
      {
        windowStartMs: T0 + 10 * 60_000,
        clicks: 1,
        uniqueUsers: 1,
        costMicros: 500_000,
        suspicious: 0,
        fraud: 0,
      },
    ]);
  });

  it("refuses a range of more than seven days of windows", async () => {
    await expect(
      readWindowSeries(redis, "c1", { fromMs: T0, toMs: T0 + 8 * 86_400_000 }),
    ).rejects.toThrow(/at most 2016 windows/);
  });
});

describe("day totals", () => {
  it("reads many campaigns' day totals, unknown campaigns as zeros", async () => {
    await put("counter:{c1}:20261202:all", { clicks: 10, uu: 8, cost: 5_000_000, fraud: 3 });
    await put("counter:{c2}:20261202:all", { clicks: 4, uu: 4, cost: 2_000_000, sus: 2 });
    await put("counter:{c2}:20261201:all", { clicks: 40, uu: 30, cost: 20_000_000 });

    const totals = await readDayTotals(redis, ["c1", "c2", "nobody"], T0);
    expect(Object.fromEntries(totals)).toEqual({
      c1: { clicks: 10, uniqueUsers: 8, costMicros: 5_000_000, suspicious: 0, fraud: 3 },
      c2: { clicks: 4, uniqueUsers: 4, costMicros: 2_000_000, suspicious: 2, fraud: 0 },
      nobody: ZERO_COUNTERS,
    });
    expect(await readDaySeries(redis, "c2", [T0 - 86_400_000, T0])).toEqual([
      {
        dayStartMs: Date.UTC(2026, 11, 1),
        clicks: 40,
        uniqueUsers: 30,
        costMicros: 20_000_000,
        suspicious: 0,
        fraud: 0,
      },
      {
        dayStartMs: Date.UTC(2026, 11, 2),
        clicks: 4,
        uniqueUsers: 4,
        costMicros: 2_000_000,
        suspicious: 2,
        fraud: 0,
      },
    ]);
    expect(await scanDayTotalCampaigns(redis, T0)).toEqual(["c1", "c2"]);
  });
});

describe("readBreakdown", () => {
  it("lists the dimensions with activity, most clicks first", async () => {
    await put("counter:{c1}:20261202:country:DE", { clicks: 3, uu: 2, cost: 1_500_000 });
    await put("counter:{c1}:20261202:country:US", { clicks: 5, uu: 5, cost: 2_500_000 });
    await put("counter:{c1}:20261202:device:mobile", { clicks: 6, uu: 5, cost: 3_000_000 });
    await put("counter:{c1}:20261202:device:desktop", { clicks: 2, uu: 2, cost: 1_000_000 });
    await put("counter:{c1}:20261202:partner:p-1", { clicks: 8, uu: 7, cost: 4_000_000 });
    await put("counter:{c1}:20261202:partner:p-unknown", { clicks: 1, uu: 1, cost: 1 });
    await put("counter:{c1}:202612021000:country:FR", { clicks: 1, uu: 1, cost: 500_000 });

    const day = await readBreakdown(redis, "c1", { dayMs: T0 }, ["p-1", "p-2"]);
    const row = (value: string, clicks: number, uu: number, cost: number) => ({
      value,
      clicks,
      uniqueUsers: uu,
      costMicros: cost,
      suspicious: 0,
      fraud: 0,
    });
    expect(day).toEqual({
      country: [row("US", 5, 5, 2_500_000), row("DE", 3, 2, 1_500_000)],
      device: [row("mobile", 6, 5, 3_000_000), row("desktop", 2, 2, 1_000_000)],
      partner: [row("p-1", 8, 7, 4_000_000)],
    });
    const window = await readBreakdown(redis, "c1", { windowStartMs: T0 }, []);
    expect(window).toEqual({ country: [row("FR", 1, 1, 500_000)], device: [], partner: [] });
  });
});

describe("watermarks", () => {
  it("reads the per-partition watermarks and picks the campaign's partition", async () => {
    const prefix = stack.topicPrefix;
    const partition = kafkaPartitionOf("c1", 4);
    const other = (partition + 1) % 4;
    await redis.hset(`aggwatermark:${prefix}clicks.raw`, {
      [partition]: T0 + 123,
      [other]: T0 - 5,
    });
    const marks = await readWatermarks(redis, prefix);
    expect(Object.fromEntries(marks)).toEqual({ [partition]: T0 + 123, [other]: T0 - 5 });
    expect(campaignWatermarkMs(marks, "c1", 4)).toBe(T0 + 123);
    expect(campaignWatermarkMs(new Map(), "c1", 4)).toBeNull();
  });
});
