import { expect, type Page } from "@playwright/test";

/** The demo logins `npm start` prints (seeded by `adclick seed`). */
export const DEMO_PASSWORD = "demo-password";
export const DEMO_ACCOUNTS = [
  {
    role: "advertiser",
    email: "advertiser@demo.adclick",
    landing: "/campaigns",
    nav: ["Campaigns", "Invoices"],
  },
  {
    role: "analyst",
    email: "analyst@demo.adclick",
    landing: "/review",
    nav: ["Review queue", "System"],
  },
  {
    role: "finance",
    email: "finance@demo.adclick",
    landing: "/invoices",
    nav: ["Invoices", "System"],
  },
  {
    role: "admin",
    email: "admin@demo.adclick",
    landing: "/partners",
    nav: ["Review queue", "Invoices", "Partners", "System"],
  },
] as const;

/** Opens /login and signs in. */
export async function signInAs(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await fillSignIn(page, email, password);
}

/** Signs in on the sign-in form already on screen (keeping its ?next=). */
export async function fillSignIn(
  page: Page,
  email: string,
  password = DEMO_PASSWORD,
): Promise<void> {
  await page.locator('form input[name="email"]').fill(email);
  await page.locator('form input[name="password"]').fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Screenshots go beside the report, for a person to look at. */
export function screenshotPath(name: string): string {
  return `.report/screenshots/${name}.png`;
}

export async function expectNav(page: Page, labels: readonly string[]): Promise<void> {
  const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
  await expect(links).toHaveText([...labels]);
}
