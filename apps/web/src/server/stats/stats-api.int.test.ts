import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  createAdvertiser,
  createAdvertiserToken,
  createCampaign,
  replaceBillingDay,
  revokeAdvertiserTokenOf,
} from "@adclick/db/queries";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import type { LiveSource } from "../live/live-source";
import { handleStatsRequest } from "./stats-api";

let stack: TestStack;
let conn: DbConnection;
/** The web's own connection: the role row-level security applies to. */
let web: DbConnection;
let redis: Redis;
let live: LiveSource;
let acmeToken: string;
let acmeTokenId: number;

function get(query: string, token: string | null = acmeToken): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return handleStatsRequest(new Request(`http://localhost/api/v1/stats?${query}`, { headers }), {
    db: web.db,
    live,
  });
}

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 4 });
  web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  redis = new Redis(stack.config.REDIS_URL);
  live = { redis, topicPrefix: stack.topicPrefix, numPartitions: 4 };
  const db = conn.db;
  await createAdvertiser(db, { id: "acme", name: "Acme" });
  await createAdvertiser(db, { id: "globex", name: "Globex" });
  for (const [id, advertiserId] of [
    ["acme-a", "acme"],
    ["globex-x", "globex"],
  ] as const)
    await createCampaign(db, {
      id,
      advertiserId,
      name: id,
      cpcMicros: 500_000,
      landingUrl: "https://example.com/",
    });
  ({ token: acmeToken, id: acmeTokenId } = await createAdvertiserToken(db, "acme"));
  await redis.hset("counter:{acme-a}:202612021000:all", {
    clicks: 4,
    unique_users: 3,
    cost_micros: 2_000_000,
    suspicious: 1,
    fraud: 2,
  });
  await redis.hset("counter:{acme-a}:202612021010:all", {
    clicks: 1,
    unique_users: 1,
    cost_micros: 500_000,
  });
  await redis.hset("counter:{acme-a}:20261202:all", {
    clicks: 5,
    unique_users: 4,
    cost_micros: 2_500_000,
  });
  await redis.hset("counter:{acme-a}:20261130:all", {
    clicks: 999,
    unique_users: 1,
    cost_micros: 1,
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

describe("GET /api/v1/stats", () => {
  it("answers 5-minute windows from the live counters in exactly the C10 shape", async () => {
    const res = await get(
      "campaign_id=acme-a&from=2026-12-02T10:00:00Z&to=2026-12-02T10:15:00Z&granularity=5m",
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(
      JSON.stringify({
        campaign_id: "acme-a",
        granularity: "5m",
        points: [
          {
            window: "2026-12-02T10:00:00.000Z",
            clicks: 4,
            unique_users: 3,
            cost_micros: 2_000_000,
          },
          { window: "2026-12-02T10:05:00.000Z", clicks: 0, unique_users: 0, cost_micros: 0 },
          { window: "2026-12-02T10:10:00.000Z", clicks: 1, unique_users: 1, cost_micros: 500_000 },
        ],
      }),
    );
  });

  it("answers days from billing_daily, and from the live day totals for days not billed", async () => {
    const res = await get("campaign_id=acme-a&from=2026-11-30&to=2026-12-03&granularity=day");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      campaign_id: "acme-a",
      granularity: "day",
      points: [
        {
          window: "2026-11-30T00:00:00.000Z",
          clicks: 100,
          unique_users: 70,
          cost_micros: 50_000_000,
        },
        { window: "2026-12-01T00:00:00.000Z", clicks: 0, unique_users: 0, cost_micros: 0 },
        { window: "2026-12-02T00:00:00.000Z", clicks: 5, unique_users: 4, cost_micros: 2_500_000 },
      ],
    });
  });

  it("answers 401 without a token, with an unknown one and with a revoked one", async () => {
    const q = "campaign_id=acme-a&from=2026-12-02T10:00:00Z&to=2026-12-02T10:15:00Z&granularity=5m";
    const none = await get(q, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await none.json()).error).toContain("reporting token");
    expect((await get(q, "adk_not-a-real-token")).status).toBe(401);
    const { token, id } = await createAdvertiserToken(conn.db, "acme");
    expect((await get(q, token)).status).toBe(200);
    expect(await revokeAdvertiserTokenOf(conn.db, "globex", id)).toBe(false);
    expect(await revokeAdvertiserTokenOf(conn.db, "acme", id)).toBe(true);
    expect((await get(q, token)).status).toBe(401);
    expect((await get(q)).status).toBe(200);
    expect(acmeTokenId).not.toBe(id);
  });

  it("answers 404 for another tenant's campaign, as for an unknown one", async () => {
    for (const id of ["globex-x", "nope"]) {
      for (const g of ["5m", "day"]) {
        const res = await get(
          `campaign_id=${id}&from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=${g}`,
        );
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual({ error: `campaign ${id} not found` });
      }
    }
  });

  it("answers 400 naming the bad parameter", async () => {
    const res = await get(
      "campaign_id=acme-a&from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=hour",
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "granularity must be 5m or day",
      parameter: "granularity",
    });
    const noCampaign = await get(
      "from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=5m",
    );
    expect(noCampaign.status).toBe(400);
    expect((await noCampaign.json()).parameter).toBe("campaign_id");
  });
});
