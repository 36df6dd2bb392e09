import { connectDb, type DbConnection } from "@adclick/db/client";
import { createAdvertiser, createCampaign, ensureBillingPartition } from "@adclick/db/queries";
import { billingDaily } from "@adclick/db/schema";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import type { Role, Session } from "../auth/session-user";
import { handleBillingExport } from "./billing-export";

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;

const as = (role: Role, advertiserId: string | null = null): Session => ({
  user: { id: 1, email: `${role}@example.com`, role, advertiserId },
});

async function get(query: string, session: Session | null) {
  const res = await handleBillingExport(
    new Request(`http://localhost/invoices/billing.csv?${query}`),
    { db: web.db, session },
  );
  return { status: res.status, body: await res.text(), headers: res.headers };
}

const bill = (day: string, campaignId: string, advertiserId: string, dimension = "all") => ({
  day,
  campaignId,
  advertiserId,
  dimension,
  clicks: 4,
  uniqueUsers: 3,
  costMicros: 1_333_332,
  fraudClicks: 1,
});

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  for (const [adv, campaign] of [
    ["acme", "acme-1"],
    ["globex", "globex-1"],
  ] as const) {
    await createAdvertiser(owner.db, { id: adv, name: adv });
    await createCampaign(owner.db, {
      id: campaign,
      advertiserId: adv,
      name: campaign,
      cpcMicros: 333_333,
      landingUrl: "https://example.com/",
    });
  }
  await ensureBillingPartition(owner.db, "2026-10-01");
  await owner.db
    .insert(billingDaily)
    .values([
      bill("2026-10-04", "acme-1", "acme"),
      bill("2026-10-05", "acme-1", "acme"),
      bill("2026-10-05", "acme-1", "acme", "country:FR"),
      bill("2026-10-09", "acme-1", "acme"),
      bill("2026-10-05", "globex-1", "globex"),
    ]);
}, 120_000);
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

const dataLines = (csv: string) => csv.trimEnd().split("\r\n").slice(1);

describe("GET /invoices/billing.csv", () => {
  it("gives finance any advertiser's rows of the inclusive range, every dimension", async () => {
    const res = await get("advertiser=acme&from=2026-10-05&to=2026-10-09", as("finance"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="billing-acme-2026-10-05-2026-10-09.csv"',
    );
    expect(dataLines(res.body)).toEqual([
      "2026-10-05,acme,acme-1,all,4,3,0,1,1333332,1.333332",
      "2026-10-05,acme,acme-1,country:FR,4,3,0,1,1333332,1.333332",
      "2026-10-09,acme,acme-1,all,4,3,0,1,1333332,1.333332",
    ]);
    const globex = await get("advertiser=globex&from=2026-10-01&to=2026-10-31", as("admin"));
    expect(dataLines(globex.body)).toEqual([
      "2026-10-05,globex,globex-1,all,4,3,0,1,1333332,1.333332",
    ]);
  });

  it("gives an advertiser its own rows only, and 404 for another advertiser's", async () => {
    const own = await get("from=2026-10-01&to=2026-10-31", as("advertiser", "globex"));
    expect(own.status).toBe(200);
    expect(dataLines(own.body).map((l) => l.split(",")[1])).toEqual(["globex"]);
    expect(
      (await get("advertiser=globex&from=2026-10-01&to=2026-10-31", as("advertiser", "globex")))
        .status,
    ).toBe(200);
    const foreign = await get(
      "advertiser=acme&from=2026-10-01&to=2026-10-31",
      as("advertiser", "globex"),
    );
    expect(foreign.status).toBe(404);
    expect(foreign.body).not.toContain("acme-1");
  });

  it("answers 400 naming the problem for bad dates or a missing advertiser", async () => {
    const cases: Array<[string, string]> = [
      ["advertiser=acme&to=2026-10-31", "from is required (YYYY-MM-DD)"],
      [
        "advertiser=acme&from=2026-10-32&to=2026-10-31",
        "from must be a calendar date YYYY-MM-DD, e.g. 2026-11-01",
      ],
      [
        "advertiser=acme&from=2026-10-01&to=10/31/2026",
        "to must be a calendar date YYYY-MM-DD, e.g. 2026-11-01",
      ],
      ["advertiser=acme&from=2026-10-31&to=2026-10-01", "to must not be before from"],
      ["advertiser=acme&from=2025-01-01&to=2026-10-01", "the range may cover at most 366 days"],
      ["from=2026-10-01&to=2026-10-31", "advertiser is required"],
    ];
    for (const [query, message] of cases) {
      const res = await get(query, as("finance"));
      expect({ query, status: res.status, body: res.body.trim() }).toEqual({
        query,
        status: 400,
        body: message,
      });
    }
  });

  it("refuses the signed out, roles without invoices, and unknown advertisers", async () => {
    const q = "advertiser=acme&from=2026-10-01&to=2026-10-31";
    expect((await get(q, null)).status).toBe(401);
    expect((await get(q, as("analyst"))).status).toBe(404);
    const unknown = await get("advertiser=nobody&from=2026-10-01&to=2026-10-31", as("finance"));
    expect(unknown).toMatchObject({ status: 404, body: "advertiser nobody not found\n" });
  });
});
