import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  createAdvertiser,
  createCampaign,
  ensureBillingPartition,
  getInvoice,
} from "@adclick/db/queries";
import { billingDaily } from "@adclick/db/schema";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import { createCaller } from "../root";

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;

const finance = () =>
  createCaller({
    session: { user: { id: 1, email: "finance@example.com", role: "finance", advertiserId: null } },
    db: web.db,
    source: "test",
  });

/** The refusal's code and message, or "answered". */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "answered";
  } catch (e) {
    return e instanceof TRPCError ? `${e.code}: ${e.message}` : `threw ${String(e)}`;
  }
}

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  await createAdvertiser(owner.db, { id: "acme", name: "Acme" });
  await createCampaign(owner.db, {
    id: "acme-1",
    advertiserId: "acme",
    name: "acme-1",
    cpcMicros: 333_333,
    landingUrl: "https://example.com/",
  });
  await ensureBillingPartition(owner.db, "2026-10-01");
  await owner.db.insert(billingDaily).values({
    day: "2026-10-05",
    campaignId: "acme-1",
    advertiserId: "acme",
    dimension: "all",
    clicks: 3,
    uniqueUsers: 3,
    costMicros: 999_999,
    fraudClicks: 1,
  });
}, 120_000);
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("invoices router (finance)", () => {
  it("issues a month from billing_daily through the web's database role, then refuses it again", async () => {
    const issued = await finance().invoices.issue({ advertiserId: "acme", month: "2026-10" });
    expect(issued).toMatchObject({ number: 1, status: "issued" });
    const got = await getInvoice(owner.db, issued.id);
    expect(got?.invoice.totalMicros).toBe(1_000_000);
    expect(got?.lines.map((l) => [l.campaignId, l.clicks, l.invalidClicks])).toEqual([
      ["acme-1", 3, 1],
    ]);
    expect(
      await refusal(finance().invoices.issue({ advertiserId: "acme", month: "2026-10" })),
    ).toBe(
      "CONFLICT: 2026-10 is already invoiced for acme (invoice 1); later changes to it appear on the next invoice",
    );
  });

  it("names an unknown advertiser, a malformed month and a month still running instead of issuing", async () => {
    expect(
      await refusal(finance().invoices.issue({ advertiserId: "nobody", month: "2026-10" })),
    ).toBe("NOT_FOUND: advertiser nobody not found");
    expect(
      await refusal(finance().invoices.issue({ advertiserId: "acme", month: "2026-1" })),
    ).toMatch(/^BAD_REQUEST: .*month must be YYYY-MM/s);
    const running = new Date().toISOString().slice(0, 7);
    expect(
      await refusal(finance().invoices.issue({ advertiserId: "acme", month: running })),
    ).toMatch(new RegExp(`^BAD_REQUEST: ${running} has not ended yet; it can be invoiced from`));
  });

  it("marks an issued invoice paid once; a second time is refused", async () => {
    const issued = await finance().invoices.issue({ advertiserId: "acme", month: "2026-11" });
    expect(await finance().invoices.markPaid({ id: issued.id })).toMatchObject({ status: "paid" });
    expect((await getInvoice(owner.db, issued.id))?.invoice.paidAt).toBeInstanceOf(Date);
    expect(await refusal(finance().invoices.markPaid({ id: issued.id }))).toMatch(
      /^NOT_FOUND: no issued invoice with id/,
    );
  });
});
