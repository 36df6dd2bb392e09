import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { screenshotPath, signInAs } from "./demo-accounts";

/** The demo advertiser (Acme) owns these; Globex's campaigns are another tenant's. */
const ACME = ["acme-camping-gear", "acme-spring-hiking", "acme-trail-running"];
const GLOBEX = "globex-city-breaks";
const CAMPAIGN = "acme-spring-hiking";

async function postClick(page: Page, campaignId: string): Promise<void> {
  const res = await page.request.post(`${process.env.E2E_INGEST_URL}/v1/clicks`, {
    headers: { authorization: `Bearer ${process.env.E2E_PARTNER_KEY}` },
    data: {
      event_id: `e2e-ui-${randomUUID()}`,
      campaign_id: campaignId,
      ad_id: "ad-1",
      user_id: `user-${randomUUID().slice(0, 8)}`,
      ip: "198.51.100.23",
      user_agent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
      ts: Date.now(),
      country: "DE",
      device: "desktop",
    },
  });
  expect(res.status()).toBe(202);
  expect(await res.json()).toMatchObject({ accepted: 1 });
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re))
    cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return cells;
}

const count = (text: string | null) => Number((text ?? "").replace(/[^0-9]/g, ""));

test("the advertiser sees only its campaigns, and a click shows on the live chart without a reload", async ({
  page,
}) => {
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/);
  const table = page.getByRole("table", { name: "Campaigns" });
  await expect(table.locator("tbody tr")).toHaveCount(ACME.length);
  for (const id of ACME) await expect(table.getByRole("link", { name: id })).toBeVisible();
  await expect(page.getByText(GLOBEX)).toHaveCount(0);
  await page.getByRole("searchbox").fill("trail");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await page.getByRole("searchbox").fill("");
  await page.screenshot({ path: screenshotPath("campaigns-list"), fullPage: true });

  await table.getByRole("link", { name: CAMPAIGN }).click();
  await expect(page).toHaveURL(new RegExp(`/campaigns/${CAMPAIGN}$`), { timeout: 20_000 });
  const clicks24h = page.getByTestId("clicks-24h");
  await expect(clicks24h).toBeVisible();
  const before = count(await clicks24h.textContent());

  // A marker on the window survives only if the page is never reloaded.
  await page.evaluate(() => {
    (globalThis as unknown as { __noReload: boolean }).__noReload = true;
  });
  await postClick(page, CAMPAIGN);
  await expect
    .poll(async () => count(await clicks24h.textContent()), { timeout: 20_000 })
    .toBe(before + 1);
  expect(
    await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload),
  ).toBe(true);
  await expect(
    page.getByRole("table", { name: "Today by country" }).getByText("Germany (DE)"),
  ).toBeVisible({
    timeout: 10_000,
  });
  await page.screenshot({ path: screenshotPath("campaign-page"), fullPage: true });

  // The CSV holds what the chart shows: its clicks add up to the 24 h figure on screen.
  const downloading = page.waitForEvent("download");
  await page
    .getByRole("region", { name: "Last 24 hours" })
    .getByRole("button", { name: "Export CSV" })
    .click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${CAMPAIGN}-last-24h.csv`);
  const lines = (await readFile((await download.path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe(
    "window_start_utc,window_start_local,clicks,unique_users,cost_micros,spend,provisional",
  );
  const rows = lines.slice(1).map(csvCells);
  expect(rows.every((r) => r.length === 7)).toBe(true);
  expect(rows).toHaveLength(288);
  const csvClicks = rows.reduce((sum, r) => sum + Number(r[2]), 0);
  expect(csvClicks).toBe(count(await clicks24h.textContent()));
  expect(Number(rows.at(-1)![2])).toBe(
    count(await page.getByTestId("clicks-current").textContent()),
  );
  const spendOnScreen = (await page.getByTestId("spend-24h").textContent())!;
  const csvSpend = rows.reduce((sum, r) => sum + Number(r[4]), 0) / 1_000_000;
  expect(spendOnScreen).toBe(
    new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(csvSpend),
  );
});

test("another tenant's campaign answers 404", async ({ page }) => {
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/);
  const other = await page.goto(`/campaigns/${GLOBEX}`);
  expect(other?.status()).toBe(404);
  await expect(page.getByText("European city breaks")).toHaveCount(0);
  const unknown = await page.goto("/campaigns/no-such-campaign");
  expect(unknown?.status()).toBe(404);
  await page.screenshot({ path: screenshotPath("campaign-other-tenant-404"), fullPage: true });
});
