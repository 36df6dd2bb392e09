import { expect, test } from "@playwright/test";
import { DEMO_ACCOUNTS, expectNav, screenshotPath, signInAs } from "./demo-accounts";

test("the landing page reaches the server through tRPC", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText(/web ok/i)).toBeVisible({ timeout: 30_000 });
});

test("a wrong password stays on /login with the message", async ({ page }) => {
  await page.goto("/login");
  const email = page.locator('form input[name="email"]');
  const password = page.locator('form input[name="password"]');
  await expect(email).toBeVisible();
  await expect(password).toHaveAttribute("type", "password");
  await signInAs(page, "analyst@demo.adclick", "wrong-password");
  await expect(page.locator("form [role=alert]")).toHaveText("Invalid email or password");
  await expect(page).toHaveURL(/\/login$/);
  // The form keeps the email, so the user only retypes the password.
  await expect(email).toHaveValue("analyst@demo.adclick");
  await page.screenshot({ path: screenshotPath("login-wrong-password"), fullPage: true });
});

test("repeated failures for one account are stopped with a clear message", async ({ page }) => {
  // An account nobody has: the limit counts the email tried, so this blocks no demo user.
  for (let i = 0; i < 5; i++) {
    await signInAs(page, "locked-out@demo.adclick", `guess-${i}`);
    await expect(page.locator("form [role=alert]")).toHaveText("Invalid email or password");
  }
  await signInAs(page, "locked-out@demo.adclick", "guess-5");
  await expect(page.locator("form [role=alert]")).toHaveText(
    /^Too many sign-in attempts; try again in 1[45] minutes$/,
  );
  await expect(page).toHaveURL(/\/login$/);
  await page.screenshot({ path: screenshotPath("login-rate-limited"), fullPage: true });
});

for (const account of DEMO_ACCOUNTS) {
  test(`the ${account.role} demo account lands on ${account.landing} with its navigation`, async ({
    page,
    context,
  }) => {
    await signInAs(page, account.email);
    await expect(page).toHaveURL(new RegExp(`${account.landing}$`));
    await expectNav(page, account.nav);
    await expect(page.getByText(account.email)).toBeVisible();

    const cookie = (await context.cookies()).find((c) => c.name === "adclick_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    expect(cookie?.secure).toBe(false); // plain http here; Secure behind TLS
    if (account.role !== "advertiser") {
      // /campaigns belongs to the campaign pages; the other roles' pages are shells here.
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    }
    await page.screenshot({ path: screenshotPath(`landing-${account.role}`), fullPage: true });
  });
}

test("sign-out returns to /login and the old session cookie no longer works", async ({
  page,
  context,
}) => {
  await signInAs(page, "finance@demo.adclick");
  await expect(page).toHaveURL(/\/invoices$/);
  const before = (await context.cookies()).find((c) => c.name === "adclick_session");
  expect(before?.value).toBeTruthy();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  // Replaying the old cookie: its session row is gone, so this is a signed-out visitor.
  await context.addCookies([{ ...before!, value: before!.value }]);
  await page.goto("/invoices");
  await expect(page).toHaveURL(/\/login\?next=%2Finvoices$/);
});
