/**
 * The analysts' workspace in a browser: filter the queue, decide three clicks in
 * bulk with the keyboard and a note, find the decisions in the audit trail (and a
 * tampered row flagged), manage the blocklist with its validation, read the rate
 * charts; an advertiser cannot open any of it.
 */
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  ensureBillingPartition,
  insertFraudModel,
  insertReviewItems,
  type NewReviewItem,
} from "@adclick/db/queries";
import { billingDaily } from "@adclick/db/schema";
import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { screenshotPath, signInAs } from "./demo-accounts";

const CAMPAIGN = "e2e-review-camp";
const PARTNER = "e2e-review-partner";
const DC_EVENTS = ["rv-dc-1", "rv-dc-2", "rv-dc-3"];
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

const item = (eventId: string, over: Partial<NewReviewItem> = {}): NewReviewItem => ({
  partnerId: PARTNER,
  eventId,
  campaignId: CAMPAIGN,
  advertiserId: "acme",
  clickTs: new Date(`${DAY}T10:00:00Z`),
  risk: 0.55,
  reasons: ["datacenter_ip", "ua_sanity"],
  click: {
    event_id: eventId,
    ip: "52.95.110.7",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0",
    country: "US",
    device: "desktop",
    features: { clicks_per_min_ip: 42, distinct_campaigns_ip: 7, burstiness: 0.812 },
  },
  ...over,
});

let conn: DbConnection;

test.beforeAll(async () => {
  conn = connectDb(process.env.E2E_DATABASE_URL!, { max: 1 });
  await insertReviewItems(conn.db, [
    ...DC_EVENTS.map((e, i) => item(e, { risk: 0.62 - i * 0.05 })),
    item("rv-burst-1", { reasons: ["burst"], risk: 0.4 }),
    item("rv-other-1", { campaignId: "e2e-review-other", partnerId: "e2e-other-partner" }),
  ]);
  for (const [day, clicks, suspicious, fraud] of [
    [DAY, 900, 60, 100],
    [new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10), 950, 30, 50],
  ] as const) {
    await ensureBillingPartition(conn.db, day);
    const row = { day, campaignId: CAMPAIGN, advertiserId: "acme", uniqueUsers: 500 };
    await conn.db
      .insert(billingDaily)
      .values([
        {
          ...row,
          dimension: "all",
          clicks,
          suspiciousClicks: suspicious,
          fraudClicks: fraud,
          costMicros: clicks * 1000,
        },
        {
          ...row,
          dimension: `partner:${PARTNER}`,
          clicks,
          suspiciousClicks: suspicious,
          fraudClicks: fraud,
          costMicros: clicks * 1000,
        },
      ])
      .onConflictDoNothing();
  }
});

test.afterAll(async () => {
  await conn?.close();
});

test("an analyst filters the queue, decides three clicks in bulk with the keyboard and finds them in the audit trail", async ({
  page,
}) => {
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/);
  const rows = page.getByRole("table", { name: "Queued clicks" }).locator("tbody tr");
  await expect(rows.filter({ hasText: "rv-other-1" })).toHaveCount(1);
  await page.screenshot({ path: screenshotPath("review-queue"), fullPage: true });

  await page.locator('select[name="campaign"]').selectOption(CAMPAIGN);
  await page.locator('select[name="reason"]').selectOption("datacenter_ip");
  await expect(rows).toHaveCount(3);
  await expect(rows.locator("td:nth-child(2)")).toHaveText(DC_EVENTS);
  // Each item says why: its score, reason codes and feature values.
  const first = rows.first();
  await expect(first.locator(".score")).toHaveText("0.62");
  await expect(first.getByRole("list", { name: "Reason codes" }).getByRole("listitem")).toHaveText([
    "datacenter_ip",
    "ua_sanity",
  ]);
  await expect(first.locator("dl")).toContainText("clicks_per_min_ip42");
  await expect(first.locator("dl")).toContainText("burstiness0.812");
  await page.screenshot({ path: screenshotPath("review-queue-filtered"), fullPage: true });

  await page.getByLabel("Note for the decision").fill("data-centre farm, same headless UA");
  await page.getByRole("heading", { name: "Review queue", level: 1 }).click();
  for (const key of ["x", "j", "x", "j", "x"]) await page.keyboard.press(key);
  await expect(rows.and(page.locator('[aria-selected="true"]'))).toHaveCount(3);
  await expect(page.getByText("3 selected.")).toBeVisible();
  await page.screenshot({ path: screenshotPath("review-queue-selected"), fullPage: true });
  await page.keyboard.press("f");
  await expect(page.getByRole("status")).toHaveText("Marked 3 clicks fraud.");
  await expect(page.getByText("No queued clicks match.")).toBeVisible();
  await page.locator('select[name="reason"]').selectOption("");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("rv-burst-1");
  await page.screenshot({ path: screenshotPath("review-queue-decided"), fullPage: true });

  await page
    .getByRole("navigation", { name: "Review workspace" })
    .getByRole("link", { name: "Audit trail" })
    .click();
  await expect(page.getByRole("heading", { name: "Audit trail", level: 1 })).toBeVisible();
  const trail = page.getByRole("table", { name: "Audit trail" }).locator("tbody tr");
  for (const eventId of DC_EVENTS) {
    const row = trail.and(page.locator(`[data-subject="review:${PARTNER}/${eventId}"]`));
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("analyst@demo.adclick");
    await expect(row).toContainText("review.decide");
    await expect(row.locator("td").nth(5)).toContainText("status: pending");
    await expect(row.locator("td").nth(6)).toContainText("status: fraud");
    await expect(row.locator("td").nth(6)).toContainText(
      "note: data-centre farm, same headless UA",
    );
    await expect(row).toContainText("✓ intact");
  }
  await expect(page.getByTestId("chain-status")).toContainText("The chain is intact");
  await page.screenshot({ path: screenshotPath("review-audit"), fullPage: true });

  // Someone with the database owner's power rewrites a verdict: the trail shows it.
  await conn.db.transaction(async (tx) => {
    await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    await tx.execute(
      sql`update audit_log set detail = jsonb_set(detail, '{after,status}', '"clean"')
          where subject = ${`review:${PARTNER}/${DC_EVENTS[1]}`}`,
    );
    await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
  });
  await page.reload();
  await expect(page.getByTestId("chain-status")).toContainText("Tampering detected");
  const tampered = trail.and(page.locator(`[data-subject="review:${PARTNER}/${DC_EVENTS[1]}"]`));
  await expect(tampered).toContainText("tampered: content changed");
  await page.screenshot({ path: screenshotPath("review-audit-tampered"), fullPage: true });
});

test("an analyst manages the blocklist, with the same checks as the CLI", async ({ page }) => {
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/);
  await page.goto("/review/blocklist");
  const form = page.getByRole("form", { name: "Add a blocklist entry" });
  await form.locator('select[name="kind"]').selectOption("cidr");
  await form.getByRole("textbox", { name: "Network (CIDR)" }).fill("10.1.2.3/8");
  await form.getByRole("button", { name: "Block" }).click();
  await expect(form).toContainText(
    "The network 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?",
  );
  await expect(form).toContainText("Give a reason, for the audit trail");
  await page.screenshot({ path: screenshotPath("review-blocklist-invalid"), fullPage: true });

  await form.getByRole("textbox", { name: "Network (CIDR)" }).fill("10.0.0.0/8");
  await form.getByRole("textbox", { name: "Reason" }).fill("click farm behind a NAT");
  await form.getByRole("button", { name: "Block" }).click();
  await expect(page.getByRole("status")).toContainText("Blocked 10.0.0.0/8");
  const entry = page.locator('tr[data-value="10.0.0.0/8"]');
  await expect(entry).toContainText("analyst@demo.adclick");
  await expect(entry).toContainText("click farm behind a NAT");
  await expect(entry).toContainText("never");
  await page.screenshot({ path: screenshotPath("review-blocklist-added"), fullPage: true });

  await entry.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("status")).toContainText("Removed 10.0.0.0/8");
  await expect(entry).toHaveCount(0);
});

test("an analyst sees fraud and suspicious rates per campaign and per partner", async ({
  page,
}) => {
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/);
  await page.goto("/review/rates");
  const fraud = page.getByRole("region", { name: "Fraud rate" });
  await expect(fraud.locator(".recharts-line")).not.toHaveCount(0);
  await expect(fraud.locator(".recharts-legend-item", { hasText: CAMPAIGN })).toHaveCount(1);
  await expect(page.getByRole("region", { name: "Suspicious rate" })).toBeVisible();
  await page.screenshot({ path: screenshotPath("review-rates-campaign"), fullPage: true });
  await page.locator('select[name="by"]').selectOption("partner");
  await expect(fraud.locator(".recharts-legend-item", { hasText: PARTNER })).toHaveCount(1);
  await page.screenshot({ path: screenshotPath("review-rates-partner"), fullPage: true });
});

test("an analyst reads the stored fraud models and which one scores clicks", async ({ page }) => {
  // Stored, not activated: the running aggregator of this run keeps scoring by the rules.
  const version = await insertFraudModel(conn.db, {
    kind: "logistic",
    params: {},
    quality: {
      examples: 2000,
      positives: 400,
      rocAuc: 0.9931,
      at: [{ threshold: 0.7, tp: 380, fp: 4, tn: 1596, fn: 20, precision: 0.99, recall: 0.95 }],
    },
  });
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/);
  await page.getByRole("navigation", { name: "Review workspace" }).getByText("Model").click();
  await expect(page).toHaveURL(/\/review\/model$/);
  await expect(page.getByTestId("active-model")).toContainText("No model is active");
  const row = page
    .getByRole("table", { name: "Model versions" })
    .getByRole("row")
    .filter({ hasText: "0.9931" });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").first()).toHaveText(String(version));
  await page.screenshot({ path: screenshotPath("review-model"), fullPage: true });
});

test("an advertiser cannot open the workspace nor call its procedures", async ({ page }) => {
  await signInAs(page, "advertiser@demo.adclick");
  await expect(page).toHaveURL(/\/campaigns$/);
  for (const path of [
    "/review",
    "/review/audit",
    "/review/blocklist",
    "/review/rates",
    "/review/model",
  ]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
  const api = await page.request.get(
    `/api/trpc/review.queue?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`,
  );
  expect(api.status()).toBe(403);
  expect(await api.text()).not.toContain("rv-");
});
