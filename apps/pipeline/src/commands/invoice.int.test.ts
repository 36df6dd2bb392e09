import { connectDb } from "@adclick/db/client";
import { ensureBillingPartition, getInvoice } from "@adclick/db/queries";
import { billingDaily } from "@adclick/db/schema";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runAdclick } from "../../../../test/processes";
import { createTestStack, type TestStack } from "../../../../test/stack";

let stack: TestStack;
const adclick = (...args: string[]) => runAdclick(args, stack.env);

beforeAll(async () => {
  stack = await createTestStack();
}, 120_000);
afterAll(async () => {
  await stack?.cleanup();
});

it("invoice issue prints the id alone on the last line and refuses a second issue", async () => {
  expect((await adclick("advertiser", "create", "--id", "acme", "--name", "Acme")).code).toBe(0);
  const c = [
    "--advertiser",
    "acme",
    "--cpc-micros",
    "250000",
    "--landing-url",
    "https://a.example/",
  ];
  expect((await adclick("campaign", "create", "--id", "acme-1", ...c)).code).toBe(0);
  const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
  try {
    await ensureBillingPartition(conn.db, "2026-10-01");
    await conn.db.insert(billingDaily).values({
      day: "2026-10-09",
      campaignId: "acme-1",
      advertiserId: "acme",
      dimension: "all",
      clicks: 4,
      uniqueUsers: 4,
      costMicros: 1_000_000,
      fraudClicks: 1,
    });
    const first = await adclick("invoice", "issue", "--advertiser", "acme", "--month", "2026-10");
    expect(first.code).toBe(0);
    const id = first.stdout.trimEnd().split("\n").at(-1) ?? "";
    expect(id).toMatch(/^\d+$/);
    const got = await getInvoice(conn.db, Number(id));
    expect(got?.invoice).toMatchObject({ status: "issued", totalMicros: 1_000_000, clicks: 4 });
    expect(got?.lines).toHaveLength(1);

    const again = await adclick("invoice", "issue", "--advertiser", "acme", "--month", "2026-10");
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
    expect(again.stderr).toMatch(/already issued/);

    const bad = await adclick("invoice", "issue", "--advertiser", "acme", "--month", "2026-13");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/2026-13/);
  } finally {
    await conn.close();
  }
}, 120_000);
