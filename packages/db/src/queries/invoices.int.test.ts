import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { connectDb, type DbConnection } from "../client";
import { billingDaily, invoiceLines } from "../schema";
import {
  advertiserScope,
  staffScope,
  WEB_DB_ROLE,
  withAdvertiserScope,
  withStaffScope,
} from "../scope";
import { createAdvertiser } from "./advertisers";
import { ensureBillingPartition } from "./billing-partitions";
import { createCampaign } from "./campaigns-admin";
import {
  getInvoice,
  InvoiceAlreadyIssuedError,
  issueInvoice,
  listInvoices,
  markInvoicePaid,
} from "./invoices";

let stack: TestStack;

/** The database's own message: drizzle wraps it in "Failed query: …" with the cause attached. */
async function dbError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String((e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message);
  }
  return "no error";
}
let owner: DbConnection;
let web: DbConnection;

const row = (
  day: string,
  campaignId: string,
  clicks: number,
  costMicros: number,
  fraudClicks = 0,
) => ({
  day,
  campaignId,
  advertiserId: "acme",
  dimension: "all",
  clicks,
  uniqueUsers: clicks,
  costMicros,
  fraudClicks,
});

async function rebill(day: string, rows: ReturnType<typeof row>[]) {
  await owner.db.transaction(async (tx) => {
    await tx.execute(sql`delete from billing_daily where day = ${day}`);
    if (rows.length) await tx.insert(billingDaily).values(rows);
  });
}

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  for (const id of ["acme", "globex"]) await createAdvertiser(owner.db, { id, name: id });
  for (const [id, adv] of [
    ["acme-1", "acme"],
    ["acme-2", "acme"],
    ["globex-1", "globex"],
  ] as const)
    await createCampaign(owner.db, {
      id,
      advertiserId: adv,
      name: id,
      cpcMicros: 333_333,
      landingUrl: "https://example.com/",
    });
  for (const d of ["2026-10-01", "2026-11-01", "2026-12-01"])
    await ensureBillingPartition(owner.db, d);
  await owner.db
    .insert(billingDaily)
    .values([
      row("2026-10-05", "acme-1", 3, 999_999),
      row("2026-10-06", "acme-1", 7, 2_333_331, 1),
      row("2026-10-06", "acme-2", 1, 333_333),
      { ...row("2026-10-06", "acme-2", 1, 333_333), dimension: "country:FR" },
      { ...row("2026-10-06", "globex-1", 5, 1_666_665), advertiserId: "globex" },
    ]);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("invoices", () => {
  it("totals the month's billing_daily (dimension all) per campaign, rounded once per line", async () => {
    const inv = await issueInvoice(owner.db, "acme", "2026-10");
    expect(inv).toMatchObject({ status: "issued", number: 1, month: "2026-10-01", clicks: 11 });
    const got = await getInvoice(owner.db, inv.id);
    const lines = got?.lines ?? [];
    expect(lines.map((l) => [l.campaignId, l.clicks, l.costMicros, l.amountMicros])).toEqual([
      ["acme-1", 10, 3_333_330, 3_330_000],
      ["acme-2", 1, 333_333, 330_000],
    ]);
    const [sum] = await owner.db
      .execute<{ micros: string }>(
        sql`select sum(cost_micros)::text as micros from billing_daily where advertiser_id = 'acme' and dimension = 'all' and day between '2026-10-01' and '2026-10-31'`,
      )
      .then((r) => r.rows);
    expect(lines.reduce((s, l) => s + l.costMicros, 0)).toBe(Number(sum?.micros));
    expect(inv.totalMicros).toBe(lines.reduce((s, l) => s + l.amountMicros, 0));
  });

  it("refuses to issue the same month twice", async () => {
    await expect(issueInvoice(owner.db, "acme", "2026-10")).rejects.toBeInstanceOf(
      InvoiceAlreadyIssuedError,
    );
  });

  it("freezes an issued invoice's lines in the database, for the web role and the owner alike", async () => {
    const [inv] = await listInvoices(owner.db, "acme");
    // The web role has no UPDATE or DELETE grant on lines at all, even as finance.
    expect(
      await dbError(
        withStaffScope(web.db, staffScope("finance"), (tx) =>
          tx.update(invoiceLines).set({ amountMicros: 1 }).where(sql`invoice_id = ${inv?.id}`),
        ),
      ),
    ).toMatch(/permission denied for table invoice_lines/);
    expect(
      await dbError(
        withStaffScope(web.db, staffScope("finance"), (tx) =>
          tx.delete(invoiceLines).where(sql`invoice_id = ${inv?.id}`),
        ),
      ),
    ).toMatch(/permission denied for table invoice_lines/);
    // Nor may it rewrite an issued invoice's amounts through the columns it may update.
    expect(
      await dbError(
        withStaffScope(web.db, staffScope("finance"), (tx) =>
          tx.execute(sql`update invoices set total_micros = 1 where id = ${inv?.id}`),
        ),
      ),
    ).toMatch(/frozen/);
    expect(
      await dbError(
        owner.db.update(invoiceLines).set({ amountMicros: 1 }).where(sql`invoice_id = ${inv?.id}`),
      ),
    ).toMatch(/frozen/);
    expect(
      await dbError(
        owner.db.execute(sql`update invoices set total_micros = 1 where id = ${inv?.id}`),
      ),
    ).toMatch(/frozen/);
    const lines = (await getInvoice(owner.db, inv?.id ?? 0))?.lines ?? [];
    expect(lines.map((l) => l.amountMicros)).toEqual([3_330_000, 330_000]);
  });

  it("turns a verdict after issue into exactly one credit on the next invoice; re-billing the day again adds nothing", async () => {
    // An analyst removes 2 clicks of acme-1 on 10-06: the day is billed again, then twice more alike.
    const corrected = [
      row("2026-10-06", "acme-1", 5, 1_666_665, 3),
      row("2026-10-06", "acme-2", 1, 333_333),
    ];
    await rebill("2026-10-06", corrected);
    await rebill("2026-10-06", corrected);
    await owner.db.insert(billingDaily).values(row("2026-11-02", "acme-1", 2, 666_666));
    const nov = await issueInvoice(owner.db, "acme", "2026-11");
    expect(nov.number).toBe(2);
    const lines = (await getInvoice(owner.db, nov.id))?.lines ?? [];
    const credits = lines.filter((l) => l.kind === "credit");
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({
      day: "2026-10-06",
      campaignId: "acme-1",
      clicks: -2,
      costMicros: -666_666,
      amountMicros: -670_000,
    });
    expect(credits[0]?.cause).toMatch(/invalid activity/);
    expect(nov.totalMicros).toBe(670_000 - 670_000);

    await rebill("2026-10-06", corrected);
    await rebill("2026-10-06", corrected);
    const dec = await issueInvoice(owner.db, "acme", "2026-12");
    expect(dec.number).toBe(3);
    expect((await getInvoice(owner.db, dec.id))?.lines).toEqual([]);
  });

  it("lets an advertiser see only its own invoices and finance mark one paid", async () => {
    await issueInvoice(owner.db, "globex", "2026-10");
    const seen = await withAdvertiserScope(web.db, advertiserScope("globex"), (tx) =>
      listInvoices(tx),
    );
    expect(seen.map((i) => i.advertiserId)).toEqual(["globex"]);
    // Row-level security hides the row from an advertiser's update: nothing changes.
    expect(
      await withAdvertiserScope(web.db, advertiserScope("globex"), (tx) =>
        markInvoicePaid(tx, seen[0]?.id ?? 0),
      ),
    ).toBeNull();
    expect((await getInvoice(owner.db, seen[0]?.id ?? 0))?.invoice.status).toBe("issued");
    const paid = await withStaffScope(web.db, staffScope("finance"), (tx) =>
      markInvoicePaid(tx, seen[0]?.id ?? 0),
    );
    expect(paid?.status).toBe("paid");
    expect(
      await dbError(
        owner.db.execute(sql`update invoices set status = 'issued' where id = ${paid?.id}`),
      ),
    ).toMatch(/cannot go/);
  });
});
