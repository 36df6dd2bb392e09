import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { screenshotPath, signInAs } from "./demo-accounts";

const adclick = fileURLToPath(new URL("../../../apps/pipeline/bin/adclick.mjs", import.meta.url));
const MONTH = "2026-09";

/** Bills two September days for Acme and one for Globex, then issues both months from the CLI. */
test.beforeAll(async () => {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `create table if not exists billing_daily_y2026m09 partition of billing_daily for values from ('2026-09-01') to ('2026-10-01')`,
    );
    await client.query(
      `insert into billing_daily (day, campaign_id, advertiser_id, dimension, clicks, unique_users, cost_micros, fraud_clicks)
       values ('2026-09-10', 'acme-spring-hiking', 'acme', 'all', 40, 30, 18000000, 3),
              ('2026-09-11', 'acme-trail-running', 'acme', 'all', 7, 7, 2333331, 0),
              ('2026-09-10', 'globex-city-breaks', 'globex', 'all', 5, 5, 1500000, 0)
       on conflict do nothing`,
    );
  } finally {
    await client.end();
  }
  for (const advertiser of ["acme", "globex"]) {
    const r = spawnSync(
      "node",
      [adclick, "invoice", "issue", "--advertiser", advertiser, "--month", MONTH],
      {
        env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
        encoding: "utf8",
      },
    );
    if (r.status !== 0 && !/already issued/.test(r.stderr)) throw new Error(r.stderr);
  }
});

test("finance sees every invoice, opens one and downloads its CSV and PDF", async ({ page }) => {
  await signInAs(page, "finance@demo.adclick");
  await expect(page).toHaveURL(/\/invoices$/);
  const rows = page.locator("tbody tr");
  await expect(rows.filter({ hasText: "acme" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "globex" })).toHaveCount(1);
  await page.screenshot({ path: screenshotPath("finance-invoices"), fullPage: true });

  await rows.filter({ hasText: "acme" }).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Invoice");
  await expect(page.getByText("acme-spring-hiking")).toBeVisible();
  await expect(page.locator("tfoot")).toContainText("$20.33");
  await page.screenshot({ path: screenshotPath("finance-invoice-detail"), fullPage: true });

  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  const csvText = await readFile((await csv.path()) ?? "", "utf8");
  expect(csvText.trimEnd().split("\r\n").at(-1)).toMatch(/,total,.*,20\.330000$/);

  const [pdf] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download PDF" }).click(),
  ]);
  const pdfBytes = await readFile((await pdf.path()) ?? "");
  expect(pdfBytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");

  await page.goto("/invoices");
  await page.getByRole("link", { name: "Reconciliation report" }).click();
  await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();
  await page.screenshot({ path: screenshotPath("finance-reconciliation"), fullPage: true });
});

test("an advertiser sees only its own invoices", async ({ page }) => {
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/);
  const res = await page.goto("/invoices");
  expect(res?.status()).toBe(200);
  const rows = page.locator("tbody tr");
  await expect(rows.filter({ hasText: "acme" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "globex" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /issue/i })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("advertiser-invoices"), fullPage: true });
});
