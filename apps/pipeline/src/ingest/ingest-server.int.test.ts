import { gzipSync } from "node:zlib";
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  addSigningSecret,
  createAdvertiser,
  createCampaign,
  createPartner,
  revokePartner,
  setCampaignStatus,
} from "@adclick/db/queries";
import { ClickRecord, topicName } from "@adclick/shared";
import { signClickToken } from "@adclick/shared/click-token";
import {
  generateSigningSecret,
  sealSigningSecret,
  signRequest,
} from "@adclick/shared/request-signing";
import fc from "fast-check";
import { Redis } from "ioredis";
import { Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import { compareExactlyOnce, describeExactlyOnce, eventIdentity } from "../simulate/exactly-once";
import { generateTraffic } from "../simulate/generate-traffic";
import { GroundTruth } from "../simulate/ground-truth";
import { sendTraffic } from "../simulate/http-sender";
import { createIngestComponent, type IngestComponent, type IngestOptions } from "./ingest-server";
import { seenKey } from "./redis-guards";
import { click, readTopic } from "./test-support";

let stack: TestStack;
let conn: DbConnection;
let ingest: IngestComponent;
let base: string;
const keys: Record<string, string> = {};
const PARTITIONS = 4;

async function startIngest(options: Partial<IngestOptions> = {}): Promise<IngestComponent> {
  const registry = createRegistry();
  const ops: OpsState = { components: [], registry, shuttingDown: false };
  const component = createIngestComponent(stack.config, {
    logger: createLogger("silent"),
    registry,
    ops,
    options: {
      port: 0,
      host: "127.0.0.1",
      keyCacheTtlMs: 300,
      campaignCacheTtlMs: 300,
      ...options,
    },
  });
  ops.components = [component];
  await component.start();
  return component;
}

interface PostResult {
  status: number;
  body: {
    receipt?: string;
    accepted?: number;
    duplicates?: number;
    rejected?: Array<{ index: number; error: string }>;
    error?: string;
  };
  headers: Headers;
}

async function post(
  body: string | Buffer,
  opts: {
    key?: string | null;
    contentType?: string;
    headers?: Record<string, string>;
    url?: string;
  } = {},
): Promise<PostResult> {
  const headers: Record<string, string> = {
    "content-type": opts.contentType ?? "application/json",
    ...opts.headers,
  };
  const key = opts.key === undefined ? keys.main : opts.key;
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${opts.url ?? base}/v1/clicks`, { method: "POST", body, headers });
  const text = await res.text();
  let parsed: PostResult["body"] = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text };
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const rawRecords = async () =>
  (await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))).map((r) => ({
    ...r,
    click: ClickRecord.parse(JSON.parse(r.value)),
  }));

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 2 });
  await createAdvertiser(conn.db, { id: "adv-1", name: "Advertiser One" });
  for (let i = 0; i < 12; i++) {
    await createCampaign(conn.db, {
      id: `cmp-${i}`,
      advertiserId: "adv-1",
      name: `Campaign ${i}`,
      cpcMicros: 100_000 + i,
      landingUrl: `https://example.com/landing/${i}`,
    });
  }
  await createCampaign(conn.db, {
    id: "cmp-paused",
    advertiserId: "adv-1",
    name: "Paused",
    cpcMicros: 1,
    landingUrl: "https://example.com/p",
  });
  await setCampaignStatus(conn.db, { id: "cmp-paused", status: "paused", actor: "test" });
  for (const [name, rate] of [
    ["main", 1_000_000],
    ["limited", 10],
    ["revoked", 1_000_000],
    ["flood", 200],
    ["calm", 100_000],
    ["signed", 1_000_000],
    ["prop", 1_000_000],
  ] as const) {
    keys[name] = (
      await createPartner(conn.db, { id: `partner-${name}`, name, rateLimitPerSec: rate })
    ).apiKey;
  }
  ingest = await startIngest();
  base = `http://127.0.0.1:${ingest.port()}`;
});

afterAll(async () => {
  await ingest?.stop();
  await conn?.close();
  await stack?.cleanup();
});

describe("POST /v1/clicks", () => {
  it("accepts a single event, enriches it and writes it to clicks.raw keyed by campaign", async () => {
    // Within the C1 bounds (7 days before to 5 minutes after receive); epoch ms pass through as sent.
    const ts = Date.now() - 3_600_000;
    const event = click("cmp-1", { ts });
    const res = await post(JSON.stringify(event));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      receipt: expect.stringMatching(/^[0-9a-f-]{36}$/),
      accepted: 1,
      duplicates: 0,
      rejected: [],
    });
    const found = (await rawRecords()).find((r) => r.click.event_id === event.event_id);
    expect(found?.key).toBe("cmp-1");
    expect(found?.headers.receipt).toBe(res.body.receipt);
    expect(found?.click).toMatchObject({
      partner_id: "partner-main",
      campaign_id: "cmp-1",
      advertiser_id: "adv-1",
      cost_micros: 100_001,
      device: "mobile",
      country: "US",
      ts,
    });
  });

  it("rejects invalid events alone, by index, and keeps them out of clicks.raw", async () => {
    const events: Array<Record<string, unknown> | string> = [
      click("cmp-2"),
      { ...click("cmp-2"), campaign_id: undefined },
      click("cmp-2"),
      click("cmp-2", { ip: "999.1.1.1" }),
      click("cmp-unknown"),
      click("cmp-paused"),
      "not an object",
      click("cmp-2", { ts: "yesterday" }),
    ];
    const res = await post(JSON.stringify(events));
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected?.map((r) => r.index)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(res.body.rejected?.[0]?.error).toBe("campaign_id is required");
    expect(res.body.rejected?.[1]?.error).toMatch(/ip/);
    expect(res.body.rejected?.[2]?.error).toMatch(/unknown/);
    expect(res.body.rejected?.[3]?.error).toMatch(/paused/);
    const raw = await rawRecords();
    const ids = new Set(raw.map((r) => r.click.event_id));
    expect(ids.has((events[0] as { event_id: string }).event_id)).toBe(true);
    expect(ids.has((events[3] as { event_id: string }).event_id)).toBe(false);
    const rejected = await readTopic(
      stack.config.KAFKA_BROKERS,
      topicName(stack.topicPrefix, "rejected"),
    );
    const mine = rejected
      .map((r) => JSON.parse(r.value))
      .filter((r) => r.receipt === res.body.receipt);
    expect(mine.map((r) => r.index)).toEqual([1, 3, 4, 5, 6, 7]);
    expect(mine[0]).toMatchObject({ partner_id: "partner-main", error: "campaign_id is required" });
    // Valid events of an unknown or paused campaign hold no idempotency mark: fixed and resent, they go through.
    const redis = new Redis(stack.config.REDIS_URL);
    try {
      const marks = await Promise.all(
        [0, 4, 5].map((i) =>
          redis.exists(seenKey("partner-main", (events[i] as { event_id: string }).event_id)),
        ),
      );
      expect(marks).toEqual([1, 0, 0]);
    } finally {
      await redis.quit();
    }
  });

  it("accepts NDJSON with one bad line rejected at its index", async () => {
    const lines = [
      JSON.stringify(click("cmp-3")),
      JSON.stringify(click("cmp-3")),
      "{not json",
      "",
      JSON.stringify(click("cmp-3")),
    ];
    const res = await post(lines.join("\n"), { contentType: "application/x-ndjson" });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      accepted: 3,
      duplicates: 0,
      rejected: [{ index: 2, error: "line is not valid JSON" }],
    });
  });

  it("accepts a gzip-encoded body", async () => {
    const res = await post(gzipSync(JSON.stringify([click("cmp-3"), click("cmp-3")])), {
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
  });

  it("reports retries of a whole batch, of single events and repeats inside a batch as duplicates", async () => {
    const batch = [click("cmp-4"), click("cmp-4"), click("cmp-5")];
    expect((await post(JSON.stringify(batch))).body).toMatchObject({ accepted: 3, duplicates: 0 });
    expect((await post(JSON.stringify(batch))).body).toMatchObject({ accepted: 0, duplicates: 3 });
    expect((await post(JSON.stringify(batch[1]))).body).toMatchObject({
      accepted: 0,
      duplicates: 1,
    });
    const fresh = click("cmp-5");
    expect((await post(JSON.stringify([fresh, fresh, batch[2]]))).body).toMatchObject({
      accepted: 1,
      duplicates: 2,
    });
    // Idempotency is per partner: another partner may use the same event id.
    expect((await post(JSON.stringify(fresh), { key: keys.calm })).body).toMatchObject({
      accepted: 1,
      duplicates: 0,
    });
    const raw = await rawRecords();
    const mine = raw.filter(
      (r) =>
        r.click.partner_id === "partner-main" &&
        [...batch, fresh].some((b) => b.event_id === r.click.event_id),
    );
    expect(mine).toHaveLength(4);
  });

  it("answers 400 for unparseable bodies", async () => {
    for (const body of ["{", "42", '"text"', "null", "", "   "]) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(res.body.error).toBeTruthy();
    }
  });

  it("answers 401 for a missing or unknown key and for a revoked key within seconds", async () => {
    expect((await post("{}", { key: null })).status).toBe(401);
    expect((await post("{}", { key: "ak_unknownunknownunknownunknownunknown12345" })).status).toBe(
      401,
    );
    expect((await post("{}", { key: "garbage" })).status).toBe(401);
    expect((await post(JSON.stringify(click("cmp-1")), { key: keys.revoked })).status).toBe(202);
    await revokePartner(conn.db, "partner-revoked");
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 10_000) {
      status = (await post(JSON.stringify(click("cmp-1")), { key: keys.revoked })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
  });

  it("answers 413 for a body over the limit or too many events", async () => {
    const big = JSON.stringify([click("cmp-1", { referrer: "x".repeat(2000) })]).padEnd(
      1024 * 1024 + 10,
      " ",
    );
    expect((await post(big)).status).toBe(413);
    const many = JSON.stringify(Array.from({ length: 1001 }, () => ({})));
    expect((await post(many)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, 32));
    expect((await post(bomb, { headers: { "content-encoding": "gzip" } })).status).toBe(413);
  });

  it("answers 429 with Retry-After over the partner's rate", async () => {
    const batch = () => JSON.stringify(Array.from({ length: 15 }, () => click("cmp-6")));
    expect((await post(batch(), { key: keys.limited })).status).toBe(202);
    const res = await post(batch(), { key: keys.limited });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("puts every event in the partition of its campaign (murmur2 on campaign_id)", async () => {
    const events = Array.from({ length: 120 }, (_, i) => click(`cmp-${i % 12}`));
    expect((await post(JSON.stringify(events))).body.accepted).toBe(120);
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    const raw = await rawRecords();
    expect(raw.length).toBeGreaterThanOrEqual(120);
    const byCampaign = new Map<string, Set<number>>();
    for (const r of raw) {
      const expected = partitioner({
        topic: "t",
        partitionMetadata,
        message: { key: r.click.campaign_id, value: null },
      });
      expect(r.partition).toBe(expected);
      expect(r.key).toBe(r.click.campaign_id);
      byCampaign.set(r.key, (byCampaign.get(r.key) ?? new Set()).add(r.partition));
    }
    for (const partitions of byCampaign.values()) expect(partitions.size).toBe(1);
  });

  it("verifies request signatures for partners that use them, with two secrets during rotation", async () => {
    const first = generateSigningSecret();
    const second = generateSigningSecret();
    await addSigningSecret(
      conn.db,
      "partner-signed",
      sealSigningSecret(stack.config.APP_SECRET, first),
      { require: true },
    );
    await new Promise((r) => setTimeout(r, 400));
    const body = JSON.stringify(click("cmp-7"));
    const now = Math.floor(Date.now() / 1000);
    expect((await post(body, { key: keys.signed })).status).toBe(401);
    expect(
      (
        await post(body, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(first, body, now - 400) },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await post(body, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(second, body, now) },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await post(body, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(first, `${body} `, now) },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await post(body, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(first, body, now) },
        })
      ).status,
    ).toBe(202);
    await addSigningSecret(
      conn.db,
      "partner-signed",
      sealSigningSecret(stack.config.APP_SECRET, second),
    );
    await new Promise((r) => setTimeout(r, 400));
    const body2 = JSON.stringify(click("cmp-7"));
    expect(
      (
        await post(body2, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(first, body2, now) },
        })
      ).status,
    ).toBe(202);
    const body3 = JSON.stringify(click("cmp-7"));
    expect(
      (
        await post(body3, {
          key: keys.signed,
          headers: { "x-adclick-signature": signRequest(second, body3, now) },
        })
      ).status,
    ).toBe(202);
  });

  it("answers 405 and 404 for other methods and paths", async () => {
    expect((await fetch(`${base}/v1/clicks`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("GET /c/<token>", () => {
  it("records the click and redirects for a good token; a tampered one gets 400 and records nothing", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const token = signClickToken(stack.config.APP_SECRET, {
      campaignId: "cmp-8",
      adId: "ad-8",
      partnerId: "partner-main",
      landingUrl: "https://example.com/landing/8?a=b",
      expiresAtSeconds: exp,
    });
    const before = (await rawRecords()).length;
    const res = await fetch(`${base}/c/${token}`, {
      redirect: "manual",
      headers: {
        "user-agent":
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36",
        referer: "https://news.example/",
      },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/landing/8?a=b");
    expect(res.headers.get("set-cookie")).toMatch(/adclick_uid=/);
    const receipt = res.headers.get("x-request-id");

    const [payload, sig] = token.split(".") as [string, string];
    const tampered = `${Buffer.from(Buffer.from(payload, "base64url").toString().replace("cmp-8", "cmp-9")).toString("base64url")}.${sig}`;
    const bad = await fetch(`${base}/c/${tampered}`, { redirect: "manual" });
    expect(bad.status).toBe(400);
    const expired = signClickToken(stack.config.APP_SECRET, {
      campaignId: "cmp-8",
      adId: "ad-8",
      partnerId: "partner-main",
      landingUrl: "https://example.com/",
      expiresAtSeconds: 1_000,
    });
    expect((await fetch(`${base}/c/${expired}`, { redirect: "manual" })).status).toBe(400);
    for (const junk of ["%E0%A4%A", "x", "a.b", ""]) {
      expect((await fetch(`${base}/c/${junk}`, { redirect: "manual" })).status).toBe(400);
    }

    const raw = await rawRecords();
    expect(raw).toHaveLength(before + 1);
    const recorded = raw.filter((r) => r.click.event_id === receipt);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.click).toMatchObject({
      event_id: receipt,
      campaign_id: "cmp-8",
      ad_id: "ad-8",
      partner_id: "partner-main",
      device: "desktop",
      referrer: "https://news.example/",
      cost_micros: 100_008,
    });
  });
});

describe("ops routes", () => {
  it("serves health, readiness, metrics and the OpenAPI document", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // /metrics is not on the public port unless asked for (it belongs on the ops port).
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const withMetrics = await startIngest({ publicMetrics: true });
    const metricsUrl = `http://127.0.0.1:${withMetrics.port()}/metrics`;
    expect(
      (
        await post(JSON.stringify(click("cmp-1")), {
          url: `http://127.0.0.1:${withMetrics.port()}`,
        })
      ).status,
    ).toBe(202);
    const metrics = await (await fetch(metricsUrl)).text();
    await withMetrics.stop();
    expect(metrics).toContain('adclick_ingest_requests_total{route="clicks",status="202"}');
    expect(metrics).toContain(
      'adclick_ingest_events_total{partner="partner-main",outcome="accepted"} 1',
    );
    expect(metrics).toContain("adclick_ingest_produce_duration_seconds_bucket");
    expect(metrics).toContain("adclick_ingest_producer_inflight_bytes");
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toContain("/v1/clicks");
  });
});

describe("backpressure and fairness", () => {
  it("answers 503 with Retry-After when the producer's in-flight bytes pass the bound; every 202 is in Kafka", async () => {
    // A long linger holds the first batch in the producer while the others arrive.
    const tight = await startIngest({ maxInFlightBytes: 1, lingerMs: 1500, publicMetrics: true });
    const url = `http://127.0.0.1:${tight.port()}`;
    const inFlightBytes = async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const line = text
        .split("\n")
        .find((l) => l.startsWith("adclick_ingest_producer_inflight_bytes "));
      return Number(line?.split(" ")[1] ?? 0);
    };
    try {
      const batches = Array.from({ length: 12 }, () =>
        Array.from({ length: 5 }, () => click("cmp-9")),
      );
      const first = post(JSON.stringify(batches[0]), { url });
      // Only once it is in flight do the rest arrive (a fixed pause raced a busy machine).
      const deadline = Date.now() + 10_000;
      while ((await inFlightBytes()) === 0) {
        if (Date.now() > deadline) throw new Error("the first batch never reached the producer");
        await new Promise((r) => setTimeout(r, 5));
      }
      const rest = batches.slice(1).map((b) => post(JSON.stringify(b), { url }));
      const results = [await first, ...(await Promise.all(rest))];
      const statuses = results.map((r) => r.status);
      expect(statuses).toContain(202);
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);
      for (const r of results.filter((r) => r.status === 503))
        expect(r.headers.get("retry-after")).toBe("1");
      // Each refusal is counted as backpressure, the figure the IngestBackpressure alert watches.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(
        `adclick_ingest_backpressure_total{route="clicks"} ${statuses.filter((s) => s === 503).length}`,
      );
      const raw = new Set((await rawRecords()).map((r) => r.click.event_id));
      batches.forEach((b, i) => {
        for (const e of b) expect(raw.has(e.event_id as string)).toBe(results[i]!.status === 202);
      });
      // A 503'd batch retried later is accepted, not reported as duplicate.
      const retry = batches[statuses.indexOf(503)]!;
      expect((await post(JSON.stringify(retry))).body).toMatchObject({
        accepted: 5,
        duplicates: 0,
      });
    } finally {
      await tight.stop();
    }
  });

  it("a partner sending ten times its quota gets 429s and another partner is not affected", async () => {
    const floodResults: PostResult[] = [];
    const calmResults: PostResult[] = [];
    const started = Date.now();
    // flood: limit 200 events/s (burst 400), sends rounds of 10 concurrent batches of 100.
    const flood = (async () => {
      for (let round = 0; round < 3; round++) {
        const posts = Array.from({ length: 10 }, () =>
          post(JSON.stringify(Array.from({ length: 100 }, () => click("cmp-10"))), {
            key: keys.flood,
          }),
        );
        floodResults.push(...(await Promise.all(posts)));
      }
    })();
    const calm = (async () => {
      for (let i = 0; i < 12; i++) {
        calmResults.push(
          await post(JSON.stringify(Array.from({ length: 10 }, () => click("cmp-11"))), {
            key: keys.calm,
          }),
        );
      }
    })();
    await Promise.all([flood, calm]);
    const elapsedSec = (Date.now() - started) / 1000;
    const statuses = floodResults.map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses).toContain(202);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    const accepted = floodResults.reduce((n, r) => n + (r.body.accepted ?? 0), 0);
    expect(accepted).toBeLessThanOrEqual(400 + Math.ceil(200 * elapsedSec));
    expect(calmResults.every((r) => r.status === 202 && r.body.accepted === 10)).toBe(true);
  });
});

describe("property: arbitrary bodies", () => {
  it("never answers 500, never crashes, and every accepted event is a valid ClickRecord", async () => {
    const validish = fc.record(
      {
        event_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string(), fc.integer()),
        campaign_id: fc.oneof(fc.constantFrom("cmp-0", "cmp-1", "cmp-paused", "nope"), fc.string()),
        ad_id: fc.oneof(fc.constant("ad"), fc.string(), fc.constant(null)),
        user_id: fc.oneof(fc.constant("u"), fc.string({ maxLength: 300 })),
        ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
        user_agent: fc.oneof(fc.constant("Mozilla/5.0"), fc.string({ maxLength: 1100 })),
        ts: fc.oneof(
          fc.integer({ min: -1e15, max: 4e12 }),
          // Inside the C1 bounds (7 days before to 5 minutes after receive).
          fc.integer({ min: -6 * 86_400_000, max: 60_000 }).map((d) => Date.now() + d),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          fc.double(),
        ),
        country: fc.oneof(fc.constantFrom("US", "de", "XX1"), fc.string({ maxLength: 3 })),
        device: fc.oneof(fc.constantFrom("mobile", "tablet", "desktop", "other", "fridge")),
        referrer: fc.string({ maxLength: 50 }),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    // A valid click now and then, so the property sees 202s with accepted events, not only refusals.
    const good = fc.constant(null).map(() => click("cmp-0"));
    const body = fc.oneof(
      good.map((v) => ({ text: JSON.stringify(v), ndjson: false, count: 1 })),
      fc.string().map((s) => ({ text: s, ndjson: false, count: -1 })),
      fc.jsonValue().map((v) => ({ text: JSON.stringify(v) ?? "", ndjson: false, count: -1 })),
      validish.map((v) => ({ text: JSON.stringify(v), ndjson: false, count: 1 })),
      fc
        .array(fc.oneof(good, validish, fc.jsonValue()), { maxLength: 20 })
        .map((a) => ({ text: JSON.stringify(a), ndjson: false, count: a.length })),
      fc
        .array(
          fc.oneof(
            validish.map((v) => JSON.stringify(v)),
            fc.string(),
          ),
          { maxLength: 20 },
        )
        .map((lines) => ({
          text: lines.join("\n"),
          ndjson: true,
          count: lines
            .join("\n")
            .split("\n")
            .filter((l) => l.trim()).length,
        })),
    );
    const statuses = new Map<number, number>();
    let acceptedTotal = 0;
    await fc.assert(
      fc.asyncProperty(body, async ({ text, ndjson, count }) => {
        const res = await post(text, {
          key: keys.prop,
          ...(ndjson ? { contentType: "application/x-ndjson" } : {}),
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        acceptedTotal += res.body.accepted ?? 0;
        // 503 is allowed only as an honest "retry later" (e.g. the shared broker stalls), never a 500.
        expect([202, 400, 413, 503], JSON.stringify(res.body)).toContain(res.status);
        if (res.status === 503) expect(res.headers.get("retry-after")).toBeTruthy();
        if (res.status === 202) {
          const { accepted = 0, duplicates = 0, rejected = [] } = res.body;
          if (count >= 0) expect(accepted + duplicates + rejected.length).toBe(count);
          for (const r of rejected) expect(typeof r.error).toBe("string");
        }
      }),
      { numRuns: 150 },
    );
    const mine = (await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw")))
      .map((r) => JSON.parse(r.value))
      .filter((r) => r.partner_id === "partner-prop");
    for (const record of mine) expect(ClickRecord.safeParse(record).success).toBe(true);
    // An ingest that answered 503 to everything would pass the checks above: it must not.
    expect(statuses.get(202) ?? 0).toBeGreaterThanOrEqual(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(503) ?? 0).toBeLessThanOrEqual(15);
    // Every accepted event is in clicks.raw, once.
    expect(acceptedTotal).toBeGreaterThan(0);
    expect(mine.length).toBe(acceptedTotal);
    expect(new Set(mine.map((r) => r.event_id)).size).toBe(mine.length);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe("simulator against the ingest", () => {
  it("every distinct simulated event the ingest acknowledged is in clicks.raw exactly once, and the truth counts them", async () => {
    const campaigns = Array.from({ length: 5 }, (_, i) => ({
      id: `cmp-${i}`,
      cpcMicros: 100_000 + i,
    }));
    const options = {
      startMs: Date.now(),
      durationSec: 3,
      ratePerSec: 100,
      campaigns,
      partnerIds: ["partner-main", "partner-calm"],
      mix: { retry: 0.1 },
    };
    const truth = new GroundTruth(5, new Map(campaigns.map((c) => [c.id, c.cpcMicros])));
    const stats = await sendTraffic(generateTraffic(5, options), {
      url: base,
      apiKeys: new Map([
        ["partner-main", keys.main!],
        ["partner-calm", keys.calm!],
      ]),
      batchSize: 20,
      concurrency: 4,
      onAcknowledged: (e) => truth.add(e),
    });
    expect(stats.failed).toBe(0);
    const json = truth.toJSON();
    expect(json.totals.retries).toBeGreaterThan(0);
    const simulated = (await rawRecords()).filter((r) => r.click.event_id.startsWith("sim-5-"));
    // As multisets: a length check would pass with one duplicate and one loss.
    const once = compareExactlyOnce(
      json.events.map(([eventId, partnerId]) => eventIdentity(partnerId, eventId)),
      simulated.map((r) => eventIdentity(r.click.partner_id, r.click.event_id)),
    );
    expect(once, describeExactlyOnce("clicks.raw", once)).toMatchObject({
      lost: [],
      duplicated: [],
      unexpected: [],
    });
    expect(simulated).toHaveLength(json.totals.distinct_events);
    const total = Object.values(json.windows)
      .flatMap((w) => Object.values(w))
      .reduce((a, dims) => a + (dims.all?.clicks ?? 0), 0);
    expect(total).toBe(simulated.length);
    const byId = new Map(json.events.map((e) => [e[0], e]));
    for (const r of simulated) {
      const e = byId.get(r.click.event_id);
      expect(e?.[1]).toBe(r.click.partner_id);
      expect(e?.[2]).toBe(r.click.campaign_id);
      expect(e?.[3]).toBe(r.click.ts);
    }
  });
});
