import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { screenshotPath, signInAs } from "./demo-accounts";
import { pdfText } from "./pdf-text";

const adclick = fileURLToPath(new URL("../../../apps/pipeline/bin/adclick.mjs", import.meta.url));
const MONTH = "2026-09";

/**
 * Bills two September days for Acme and one for Globex, and an August day for
 * Acme; Globex's September and Acme's August are issued from the CLI, Acme's
 * September is left for finance to issue in the browser.
 */
test.beforeAll(async () => {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `create table if not exists billing_daily_y2026m09 partition of billing_daily for values from ('2026-09-01') to ('2026-10-01')`,
    );
    await client.query(
      `create table if not exists billing_daily_y2026m08 partition of billing_daily for values from ('2026-08-01') to ('2026-09-01')`,
    );
    await client.query(
      `insert into billing_daily (day, campaign_id, advertiser_id, dimension, clicks, unique_users, cost_micros, fraud_clicks)
       values ('2026-09-10', 'acme-spring-hiking', 'acme', 'all', 40, 30, 18000000, 3),
              ('2026-09-11', 'acme-trail-running', 'acme', 'all', 7, 7, 2333331, 0),
              ('2026-09-10', 'globex-city-breaks', 'globex', 'all', 5, 5, 1500000, 0),
              ('2026-08-20', 'acme-spring-hiking', 'acme', 'all', 2, 2, 900000, 1)
       on conflict do nothing`,
    );
    // Two recent days of reconciliation, one campaign over the 5 % threshold, and their batch runs.
    for (const [ago, live, billed] of [
      [2, 100, 100],
      [1, 120, 100],
    ] as const) {
      const day = new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
      await client.query(
        `insert into batch_runs (day, status, finished_at, events_in, duplicates, fraud_removed, rows_out, duration_ms)
         values ($1, 'succeeded', now(), 1300, 12, 40, 9, 4200)`,
        [day],
      );
      await client.query(
        `insert into reconciliation_results (day, campaign_id, live_clicks, billed_clicks, live_cost_micros, billed_cost_micros, discrepancy, threshold_exceeded)
         values ($1, 'acme-spring-hiking', $2, $3, 0, 0, $4, $5), ($1, 'acme-trail-running', 50, 50, 0, 0, 0, false)`,
        [
          day,
          live,
          billed,
          Math.abs(live - billed) / billed,
          Math.abs(live - billed) / billed > 0.05,
        ],
      );
    }
  } finally {
    await client.end();
  }
  for (const [advertiser, month] of [
    ["globex", MONTH],
    ["acme", "2026-08"],
  ] as const) {
    const r = spawnSync(
      "node",
      [adclick, "invoice", "issue", "--advertiser", advertiser, "--month", month],
      { env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL }, encoding: "utf8" },
    );
    if (r.status !== 0 && !/already issued/.test(r.stderr)) throw new Error(r.stderr);
  }
});

/** Saves the download a click starts and returns its bytes. */
async function download(page: Page, click: () => Promise<void>): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent("download"), click()]);
  return readFile((await file.path()) ?? "");
}

/** Calls a tRPC mutation from the page, with its cookies and origin, as the form would. */
function mutate(page: Page, path: string, input: unknown) {
  return page.evaluate(
    async ([p, body]) => {
      const res = await fetch(`/api/trpc/${p}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: body }),
      });
      return { status: res.status, text: await res.text() };
    },
    [path, input] as const,
  );
}

test("finance issues an invoice in the browser, downloads it, marks it paid and reads the reconciliation", async ({
  page,
}) => {
  await signInAs(page, "finance@demo.adclick");
  await expect(page).toHaveURL(/\/invoices$/);
  const rows = page.locator("tbody tr");
  const acmeSeptember = rows.filter({ hasText: "acme" }).filter({ hasText: MONTH });
  await expect(rows.filter({ hasText: "globex" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "acme" })).toHaveCount(1);
  await expect(acmeSeptember).toHaveCount(0);

  const issueForm = page.getByRole("form", { name: "Issue an invoice" });
  await issueForm.getByLabel("Advertiser").selectOption("acme");
  await issueForm.getByLabel("Month").fill(MONTH);
  await issueForm.getByRole("button", { name: "Issue invoice" }).click();
  const result = issueForm.getByRole("status");
  await expect(result).toContainText(/Issued invoice number \d+ \(id \d+\)/);
  const id = /\(id (\d+)\)/.exec((await result.textContent()) ?? "")?.[1];
  await expect(acmeSeptember).toHaveCount(1);
  await expect(acmeSeptember).toContainText(id ?? "?");
  await page.screenshot({ path: screenshotPath("finance-invoices"), fullPage: true });

  // Issuing the same month again is refused, with a reason a person can act on.
  await issueForm.getByRole("button", { name: "Issue invoice" }).click();
  await expect(result).toContainText(`${MONTH} is already invoiced for acme`);
  await expect(acmeSeptember).toHaveCount(1);
  await page.screenshot({ path: screenshotPath("finance-issue-refused"), fullPage: true });

  await acmeSeptember.getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/invoices/${id}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Invoice");
  await expect(page.getByText("acme-spring-hiking")).toBeVisible();
  await expect(page.locator("tfoot")).toContainText("$20.33");

  const csv = (await download(page, () => page.getByRole("link", { name: "Download CSV" }).click()))
    .toString("utf8")
    .trimEnd()
    .split("\r\n");
  const csvTotal = csv.at(-1)?.split(",").at(-1);
  expect(csv.at(-1)).toMatch(/,total,/);
  expect(csvTotal).toBe("20.330000");

  const pdf = await download(page, () => page.getByRole("link", { name: "Download PDF" }).click());
  const text = await pdfText(pdf);
  expect(text).toContain("Advertiser: Acme Outdoor (acme)");
  expect(text).toContain(`Period: ${MONTH} (UTC)`);
  expect(text).toContain("acme-spring-hiking");
  const pdfTotal = text[text.indexOf("Total") + 1];
  expect(pdfTotal).toBe("USD 20.33");
  expect(Number(pdfTotal?.slice(4))).toBe(Number(csvTotal));

  const billing = (
    await download(page, () =>
      page.getByRole("link", { name: `Daily billing of ${MONTH} (CSV)` }).click(),
    )
  )
    .toString("utf8")
    .trimEnd()
    .split("\r\n");
  expect(billing.slice(1).map((l) => l.split(",").slice(0, 3).join(","))).toEqual([
    "2026-09-10,acme,acme-spring-hiking",
    "2026-09-11,acme,acme-trail-running",
  ]);

  await page.getByRole("button", { name: "Mark paid…" }).click();
  await page.screenshot({ path: screenshotPath("finance-mark-paid-confirm"), fullPage: true });
  await page.getByRole("button", { name: "Confirm paid" }).click();
  await expect(page.locator(".status-badge")).toHaveText("paid");
  await expect(page.getByRole("button", { name: /Mark paid/ })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("finance-invoice-detail"), fullPage: true });

  await page.getByRole("link", { name: "← All invoices" }).click();
  await expect(acmeSeptember).toContainText("paid");
  await page.getByRole("link", { name: "Reconciliation report" }).click();
  await expect(page.getByRole("heading", { name: "Reconciliation", level: 1 })).toBeVisible();
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  const over = page.locator("tr[data-over-threshold]");
  await expect(over).toHaveCount(1);
  await expect(over).toContainText("acme-spring-hiking");
  await expect(over).toContainText("20.0 % (over 5 %)");
  await expect(
    page.getByText(/1,?300 events in, 12 duplicates, 40 fraud removed, 4\.2 s/).first(),
  ).toBeVisible();
  await page.screenshot({ path: screenshotPath("finance-reconciliation"), fullPage: true });
});

test("an advertiser sees only its own invoices and can neither issue one nor mark one paid", async ({
  page,
}) => {
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/);
  const res = await page.goto("/invoices");
  expect(res?.status()).toBe(200);
  const rows = page.locator("tbody tr");
  await expect(rows.filter({ hasText: "2026-08" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "globex" })).toHaveCount(0);
  for (const row of await rows.all()) await expect(row).toContainText("acme");
  await expect(page.getByRole("form", { name: "Issue an invoice" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /issue/i })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Reconciliation report" })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("advertiser-invoices"), fullPage: true });

  // Its own billing export works; another advertiser's answers 404.
  const own = await download(page, () =>
    page.getByRole("button", { name: "Download billing CSV" }).click(),
  );
  expect(own.toString("utf8").split("\r\n")[0]).toMatch(/^day,advertiser,campaign/);
  expect(
    (
      await page.request.get(
        "/invoices/billing.csv?advertiser=globex&from=2026-09-01&to=2026-09-30",
      )
    ).status(),
  ).toBe(404);

  // The server refuses what the page does not offer.
  const issue = await mutate(page, "invoices.issue", { advertiserId: "acme", month: "2026-08" });
  expect(issue.status).toBe(403);
  expect(issue.text).toContain("FORBIDDEN");
  const paid = await mutate(page, "invoices.markPaid", { id: 1 });
  expect(paid.status).toBe(403);
  expect((await page.goto("/invoices/reconciliation"))?.status()).toBe(404);

  // Its invoice's page offers the downloads but no payment control.
  await page.goto("/invoices");
  await rows.filter({ hasText: "2026-08" }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Invoice");
  await expect(page.getByRole("link", { name: "Download PDF" })).toBeVisible();
  await expect(page.getByRole("button", { name: /paid/i })).toHaveCount(0);
  await page.screenshot({ path: screenshotPath("advertiser-invoice-detail"), fullPage: true });
});
