import { expect, test } from "@playwright/test";

test("the landing page reaches the server through tRPC", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText(/web ok/i)).toBeVisible({ timeout: 30_000 });
});

test("the sign-in form has the C10 fields and refuses unknown users", async ({ page }) => {
  await page.goto("/login");
  const email = page.locator('form input[name="email"]');
  const password = page.locator('form input[name="password"]');
  await expect(email).toBeVisible();
  await expect(password).toHaveAttribute("type", "password");
  await email.fill("nobody@example.com");
  await password.fill("wrong-password");
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByText("Invalid email or password")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
