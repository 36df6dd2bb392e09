import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { windowStartMs } from "@adclick/shared";
import { expect, test } from "@playwright/test";

const adclick = join(import.meta.dirname, "../../../apps/pipeline/bin/adclick.mjs");

/** A reporting token from the CLI, on the e2e stack's database (C6: alone on the last stdout line). */
function tokenFor(advertiserId: string): string {
  const out = spawnSync("node", [adclick, "advertiser", "token", "--id", advertiserId], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    encoding: "utf8",
  });
  expect(out.status, out.stderr).toBe(0);
  return out.stdout.trimEnd().split("\n").at(-1)!;
}

test("GET /api/v1/stats answers a posted click in its 5-minute window, in the C10 shape", async ({
  request,
}) => {
  const token = tokenFor("acme");
  const ts = Date.now();
  const posted = await request.post(`${process.env.E2E_INGEST_URL}/v1/clicks`, {
    headers: { authorization: `Bearer ${process.env.E2E_PARTNER_KEY}` },
    data: {
      event_id: `e2e-stats-${randomUUID()}`,
      campaign_id: "acme-trail-running",
      ad_id: "ad-1",
      user_id: `user-${randomUUID().slice(0, 8)}`,
      ip: "198.51.100.24",
      user_agent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
      ts,
    },
  });
  expect(posted.status()).toBe(202);
  const window = windowStartMs(ts);
  const query = new URLSearchParams({
    campaign_id: "acme-trail-running",
    from: new Date(window).toISOString(),
    to: new Date(window + 5 * 60_000).toISOString(),
    granularity: "5m",
  });
  const get = () =>
    request.get(`/api/v1/stats?${query}`, { headers: { authorization: `Bearer ${token}` } });
  await expect
    .poll(async () => (await (await get()).json()).points?.[0]?.clicks, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  const body = await (await get()).json();
  expect(Object.keys(body)).toEqual(["campaign_id", "granularity", "points"]);
  expect(body.campaign_id).toBe("acme-trail-running");
  expect(body.granularity).toBe("5m");
  expect(body.points).toHaveLength(1);
  expect(Object.keys(body.points[0])).toEqual(["window", "clicks", "unique_users", "cost_micros"]);
  expect(body.points[0].window).toBe(new Date(window).toISOString());
  expect(body.points[0].cost_micros).toBe(body.points[0].clicks * 380_000);
});

test("GET /api/v1/stats answers 401, 404 and 400 as C10 says", async ({ request }) => {
  const token = tokenFor("acme");
  const auth = { authorization: `Bearer ${token}` };
  const q = (o: Record<string, string>) =>
    `/api/v1/stats?${new URLSearchParams({
      campaign_id: "acme-trail-running",
      from: "2026-01-01T00:00:00Z",
      to: "2026-01-02T00:00:00Z",
      granularity: "day",
      ...o,
    })}`;
  expect((await request.get(q({}))).status()).toBe(401);
  expect(
    (await request.get(q({}), { headers: { authorization: "Bearer adk_wrong" } })).status(),
  ).toBe(401);
  const other = await request.get(q({ campaign_id: "globex-city-breaks" }), { headers: auth });
  expect(other.status()).toBe(404);
  const bad = await request.get(q({ granularity: "hour" }), { headers: auth });
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toEqual({
    error: "granularity must be 5m or day",
    parameter: "granularity",
  });
  const ok = await request.get(q({}), { headers: auth });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toEqual({
    campaign_id: "acme-trail-running",
    granularity: "day",
    points: [{ window: "2026-01-01T00:00:00.000Z", clicks: 0, unique_users: 0, cost_micros: 0 }],
  });
});
