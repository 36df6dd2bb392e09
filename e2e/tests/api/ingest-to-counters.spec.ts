import { randomUUID } from "node:crypto";
import { windowStartMs } from "@adclick/shared";
import { readDayTotals, readWindowSeries } from "@adclick/shared/live-counters";
import { expect, test } from "@playwright/test";
import { Redis } from "ioredis";

const ingest = () => process.env.E2E_INGEST_URL!;
const auth = () => ({ authorization: `Bearer ${process.env.E2E_PARTNER_KEY}` });
const campaignId = "initech-crm-trial";

function click(overrides: Record<string, unknown> = {}) {
  return {
    event_id: `e2e-${randomUUID()}`,
    campaign_id: campaignId,
    ad_id: "ad-1",
    user_id: `user-${randomUUID().slice(0, 8)}`,
    ip: "198.51.100.23",
    user_agent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    ts: Date.now(),
    country: "DE",
    device: "desktop",
    ...overrides,
  };
}

test("a partner's clicks reach the live counters once, retries included", async ({ request }) => {
  const ts = Date.now();
  const batch = [click({ ts }), click({ ts }), click({ ts, ip: "not-an-ip" }), click({ ts })];
  const first = await request.post(`${ingest()}/v1/clicks`, { headers: auth(), data: batch });
  expect(first.status()).toBe(202);
  const body = await first.json();
  expect(body).toMatchObject({ accepted: 3, duplicates: 0 });
  expect(body.rejected).toEqual([{ index: 2, error: expect.stringContaining("ip") }]);
  expect(typeof body.receipt).toBe("string");

  // The partner retries the whole batch: nothing is counted twice.
  const retry = await request.post(`${ingest()}/v1/clicks`, { headers: auth(), data: batch });
  expect(retry.status()).toBe(202);
  expect(await retry.json()).toMatchObject({ accepted: 0, duplicates: 3 });

  const redis = new Redis(process.env.E2E_REDIS_URL!);
  try {
    const window = { fromMs: windowStartMs(ts), toMs: windowStartMs(ts) + 1 };
    const windowAll = async () => (await readWindowSeries(redis, campaignId, window))[0]!;
    await expect.poll(async () => (await windowAll()).clicks, { timeout: 15_000 }).toBe(3);
    const counters = await windowAll();
    expect(counters.uniqueUsers).toBe(3);
    expect(counters.costMicros).toBeGreaterThan(0);
    const [de] = await readWindowSeries(redis, campaignId, window, "country:DE");
    expect(de!.clicks).toBe(3);
    const day = (await readDayTotals(redis, [campaignId], ts)).get(campaignId)!;
    expect(day.clicks).toBeGreaterThanOrEqual(3);
  } finally {
    await redis.quit();
  }
});

test("ingest rejects a missing key with 401 and an unparseable body with 400", async ({
  request,
}) => {
  const noKey = await request.post(`${ingest()}/v1/clicks`, { data: click() });
  expect(noKey.status()).toBe(401);
  const garbage = await request.post(`${ingest()}/v1/clicks`, {
    headers: { ...auth(), "content-type": "application/json" },
    data: "{not json",
  });
  expect(garbage.status()).toBe(400);
});

test("health, readiness, metrics and the OpenAPI document are served", async ({ request }) => {
  expect((await request.get(`${ingest()}/healthz`)).status()).toBe(200);
  expect((await request.get(`${ingest()}/readyz`)).status()).toBe(200);
  // /metrics is on the ops port, not on the public ingest port.
  expect((await request.get(`${ingest()}/metrics`)).status()).toBe(404);
  const metrics = await (await request.get(`${process.env.E2E_OPS_URL}/metrics`)).text();
  expect(metrics).toContain(
    'adclick_ingest_requests_total{route="clicks",status="202",role="run"}',
  );
  const openapi = await (await request.get(`${ingest()}/openapi.json`)).json();
  expect(openapi.paths["/v1/clicks"]).toBeDefined();
});
