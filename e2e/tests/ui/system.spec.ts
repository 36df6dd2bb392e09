import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { screenshotPath, signInAs } from "./demo-accounts";

/** Sends `n` fresh clicks with the demo partner's key; returns the ingest's status. */
async function sendClicks(n: number): Promise<number> {
  const now = Date.now();
  const res = await fetch(`${process.env.E2E_INGEST_URL}/v1/clicks`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${process.env.E2E_PARTNER_KEY}`,
      "content-type": "application/json",
    },
    body: JSON.stringify(
      Array.from({ length: n }, (_, i) => ({
        event_id: `sys-${randomBytes(6).toString("hex")}-${i}`,
        campaign_id: "acme-trail-running",
        ad_id: "ad-1",
        user_id: `user-${i}`,
        ip: "8.8.4.4",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
        ts: new Date(now - i * 10).toISOString(),
      })),
    ),
  });
  await res.body?.cancel();
  return res.status;
}

const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

/** Yesterday's batch run and its reconciliation, as the nightly batch would leave them. */
test.beforeAll(async () => {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `insert into batch_runs (day, status, finished_at, events_in, duplicates, fraud_removed, rows_out, duration_ms)
       values ($1, 'succeeded', now(), 1234, 5, 17, 40, 2500)`,
      [YESTERDAY],
    );
    await client.query(
      `insert into reconciliation_results (day, campaign_id, live_clicks, billed_clicks, live_cost_micros, billed_cost_micros, discrepancy, threshold_exceeded)
       values ($1, 'acme-spring-hiking', 1010, 1000, 0, 0, 0.01, false)`,
      [YESTERDAY],
    );
  } finally {
    await client.end();
  }
});

test("the system page shows live figures to an analyst and keeps them current", async ({
  page,
}) => {
  expect(await sendClicks(30)).toBe(202);
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/, { timeout: 20_000 });
  await page.goto("/system");
  await expect(page.getByRole("heading", { name: "System", level: 1 })).toBeVisible();

  const services = page.getByTestId("services");
  for (const name of ["Postgres", "Redis", "Kafka", "Ingest", "aggregator"])
    await expect(services.locator(`tr[data-service="${name}"]`), name).toContainText("up", {
      timeout: 20_000,
    });
  await expect
    .poll(
      async () => Number.parseFloat((await page.getByTestId("ingest-rate").textContent()) ?? ""),
      {
        timeout: 20_000,
      },
    )
    .toBeGreaterThan(0);
  // The aggregator counted the clicks: its event-time lag is a number of seconds.
  await expect(page.getByTestId("event-time-lag")).toHaveText(/^\d+(\.\d)? s$/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId("consumer-lag")).toContainText("aggregator");
  await expect(page.getByTestId("batch-runs")).toContainText(YESTERDAY);
  await expect(page.getByTestId("batch-runs")).toContainText("succeeded");
  await expect(page.getByTestId("accuracy")).toContainText("1.0 %");

  // Live: the figures refresh on their own.
  const before = await page.getByTestId("read-at").textContent();
  await expect(page.getByTestId("read-at")).not.toHaveText(before!, { timeout: 15_000 });
  await page.screenshot({ path: screenshotPath("analyst-system"), fullPage: true });
});

test("finance and admins may open the system page; advertisers may not call it", async ({
  page,
}) => {
  await signInAs(page, "finance@demo.adclick");
  await expect(page).toHaveURL(/\/invoices$/, { timeout: 20_000 });
  expect((await page.goto("/system"))?.status()).toBe(200);
  await expect(page.getByTestId("services")).toBeVisible({ timeout: 20_000 });
  await page.context().clearCookies();
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/, { timeout: 20_000 });
  expect((await page.goto("/system"))?.status()).toBe(404);
  const res = await page.request.get(
    `/api/trpc/system.overview?input=${encodeURIComponent(JSON.stringify({ json: null }))}`,
  );
  expect(res.status()).toBe(403);
});
