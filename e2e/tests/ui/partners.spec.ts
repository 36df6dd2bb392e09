import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { screenshotPath, signInAs } from "./demo-accounts";

const ingestUrl = () => process.env.E2E_INGEST_URL!;
const CAMPAIGN = "acme-spring-hiking";

/** Posts one fresh click to the ingest with `apiKey`; returns the status. */
async function postClick(apiKey: string): Promise<number> {
  const res = await fetch(`${ingestUrl()}/v1/clicks`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify([
      {
        event_id: `e2e-${randomBytes(6).toString("hex")}`,
        campaign_id: CAMPAIGN,
        ad_id: "ad-1",
        user_id: "user-e2e",
        ip: "8.8.8.8",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
        ts: new Date().toISOString(),
      },
    ]),
  });
  await res.body?.cancel();
  return res.status;
}

/** The ingest caches keys for a few seconds: wait until it answers `status` for the key. */
async function expectIngestAnswers(apiKey: string, status: number): Promise<void> {
  await expect.poll(() => postClick(apiKey), { timeout: 15_000, intervals: [500] }).toBe(status);
}

async function shownKey(page: Page): Promise<string> {
  const value = page.getByTestId("shown-once-value");
  await expect(value).toHaveText(/^ak_/);
  return (await value.textContent())!.trim();
}

test("an admin creates, rotates and revokes a key in the browser, and the ingest follows", async ({
  page,
}) => {
  const id = `e2e-${randomBytes(3).toString("hex")}`;
  await signInAs(page, "admin@demo.adclick");
  await expect(page).toHaveURL(/\/partners$/, { timeout: 20_000 });

  const form = page.getByRole("form", { name: "Create partner" });
  await form.getByLabel("Name").fill("E2E Network");
  await form.getByLabel("Id (optional)").fill(id);
  await form.getByLabel("Rate limit (events/s)").fill("100");
  await form.getByRole("button", { name: "Create partner" }).click();
  const first = await shownKey(page);
  const card = page.getByRole("article", { name: `Partner ${id}` });
  await expect(card).toContainText("1 live");
  await expect(card.locator(`tr[data-key-prefix="${first.slice(0, 11)}"]`)).toContainText("live");
  // The page shows the key's prefix, never the key after it is shown once.
  await page.reload();
  await expect(page.getByTestId("shown-once-value")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(first);
  expect(await postClick(first)).toBe(202);

  await card.getByRole("button", { name: "Rotate key" }).click();
  const second = await shownKey(page);
  expect(second).not.toBe(first);
  await expect(card).toContainText("2 live");
  // During the rotation both keys work.
  expect(await postClick(second)).toBe(202);
  expect(await postClick(first)).toBe(202);
  await page.screenshot({ path: screenshotPath("admin-partner-rotated"), fullPage: true });

  await card
    .locator(`tr[data-key-prefix="${first.slice(0, 11)}"]`)
    .getByRole("button", { name: "Revoke key" })
    .click();
  await expect(card).toContainText("1 live");
  await expect(card.locator(`tr[data-key-prefix="${first.slice(0, 11)}"]`)).toContainText(
    "revoked",
  );
  await expectIngestAnswers(first, 401);
  expect(await postClick(second)).toBe(202);

  // The ingest's traffic shows up on the partner's chart (accepted: 3 clicks so far, or more).
  await expect
    .poll(async () => Number(await card.getByTestId("traffic-accepted").textContent()), {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: screenshotPath("admin-partner-revoked-key"), fullPage: true });

  page.once("dialog", (d) => void d.accept());
  await card.getByRole("button", { name: "Revoke partner" }).click();
  await expect(card).toContainText("revoked");
  await expectIngestAnswers(second, 401);
});

test("the partner docs come from the ingest's OpenAPI and build a signed link that redirects", async ({
  page,
}) => {
  await signInAs(page, "admin@demo.adclick");
  await expect(page).toHaveURL(/\/partners$/, { timeout: 20_000 });
  await page.goto("/partners/docs");
  await expect(page.getByRole("heading", { name: "POST /v1/clicks" })).toBeVisible();
  await expect(page.locator("pre.curl").first()).toContainText("Authorization: Bearer");

  const builder = page.getByRole("form", { name: "Redirect link builder" });
  await builder.getByLabel("Campaign id").fill(CAMPAIGN);
  await builder.getByLabel("Landing URL").fill("https://example.com/spring?src=e2e");
  await builder.getByRole("button", { name: "Build signed link" }).click();
  const link = page.locator('pre.curl[data-label="Signed redirect link"]');
  await expect(link).toContainText("/c/");
  await page.screenshot({ path: screenshotPath("admin-partner-docs"), fullPage: true });

  const url = (await link.textContent())!.trim();
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe("https://example.com/spring?src=e2e");
  const tampered = await fetch(`${url.slice(0, -2)}xx`, { redirect: "manual" });
  expect(tampered.status).toBe(400);
});

test("a non-admin can neither open /partners nor call its procedures", async ({
  page,
  context,
  baseURL,
}) => {
  await signInAs(page, "analyst@demo.adclick");
  await expect(page).toHaveURL(/\/review$/, { timeout: 20_000 });
  for (const path of ["/partners", "/partners/docs"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
  }
  const cookie = (await context.cookies()).find((c) => c.name === "adclick_session")!;
  const call = (path: string, method: "GET" | "POST", body?: unknown) =>
    fetch(
      `${baseURL}/api/trpc/${path}${method === "GET" ? `?input=${encodeURIComponent(JSON.stringify({ json: body ?? null }))}` : ""}`,
      {
        method,
        headers: {
          cookie: `adclick_session=${cookie.value}`,
          origin: new URL(baseURL!).origin,
          "content-type": "application/json",
        },
        ...(method === "POST" ? { body: JSON.stringify({ json: body }) } : {}),
      },
    );
  expect((await call("partners.list", "GET")).status).toBe(403);
  const create = await call("partners.create", "POST", { name: "sneaky", rateLimitPerSec: 10 });
  expect(create.status).toBe(403);
  expect(await create.text()).not.toContain("ak_");
  await page.screenshot({ path: screenshotPath("analyst-partners-404"), fullPage: true });
});
