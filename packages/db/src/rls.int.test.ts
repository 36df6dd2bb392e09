import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../test/stack";
import { connectDb, type DbConnection } from "./client";
import { createAdvertiser } from "./queries/advertisers";
import { ensureBillingPartition } from "./queries/billing-partitions";
import { createCampaign } from "./queries/campaigns-admin";
import { createAdvertiserToken, hashToken } from "./queries/tokens";
import { billingDaily, campaigns } from "./schema";
import {
  advertiserScope,
  staffScope,
  WEB_DB_ROLE,
  withAdvertiserScope,
  withStaffScope,
  withTokenLookup,
} from "./scope";

let stack: TestStack;
/** The migrating role: owns the tables, as the pipeline does. */
let owner: DbConnection;
/** The web's connection: every query runs as WEB_DB_ROLE. */
let web: DbConnection;
let acmeToken: string;

const campaign = (id: string, advertiserId: string) => ({
  id,
  advertiserId,
  name: id,
  cpcMicros: 250_000,
  landingUrl: "https://example.com/",
});

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  for (const id of ["acme", "globex"]) await createAdvertiser(owner.db, { id, name: id });
  await createCampaign(owner.db, campaign("acme-1", "acme"));
  await createCampaign(owner.db, campaign("acme-2", "acme"));
  await createCampaign(owner.db, campaign("globex-1", "globex"));
  await ensureBillingPartition(owner.db, "2026-03-01");
  const row = (campaignId: string, advertiserId: string) => ({
    day: "2026-03-01",
    campaignId,
    advertiserId,
    dimension: "all",
    clicks: 10,
    uniqueUsers: 5,
    costMicros: 2_500_000,
    fraudClicks: 0,
  });
  await owner.db.insert(billingDaily).values([row("acme-1", "acme"), row("globex-1", "globex")]);
  ({ token: acmeToken } = await createAdvertiserToken(owner.db, "acme"));
  await createAdvertiserToken(owner.db, "globex");
});
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

/** A query that forgets its tenant filter: everything the connection may see. */
const allCampaignIds = (db: Parameters<Parameters<typeof withAdvertiserScope>[2]>[0]) =>
  db
    .select({ id: campaigns.id })
    .from(campaigns)
    .orderBy(campaigns.id)
    .then((rows) => rows.map((r) => r.id));

describe("row-level security for the web role", () => {
  it("runs the web's queries as a role that owns no table", async () => {
    const { rows } = await web.pool.query<{ current_user: string; owns: number }>(
      "select current_user, (select count(*)::int from pg_tables where schemaname = 'public' and tableowner = current_user) as owns",
    );
    expect(rows[0]).toEqual({ current_user: WEB_DB_ROLE, owns: 0 });
  });

  it("shows an unfiltered query only the scoped advertiser's rows", async () => {
    const acme = await withAdvertiserScope(web.db, advertiserScope("acme"), allCampaignIds);
    const globex = await withAdvertiserScope(web.db, advertiserScope("globex"), allCampaignIds);
    expect(acme).toEqual(["acme-1", "acme-2"]);
    expect(globex).toEqual(["globex-1"]);

    const billed = await withAdvertiserScope(web.db, advertiserScope("acme"), (tx) =>
      tx.select({ campaignId: billingDaily.campaignId }).from(billingDaily),
    );
    expect(billed).toEqual([{ campaignId: "acme-1" }]);
  });

  it("shows nothing outside a scope, and the scope ends with its transaction", async () => {
    expect(await allCampaignIds(web.db)).toEqual([]);
    const client = await web.pool.connect();
    try {
      await client.query("begin");
      await client.query("select set_config('adclick.advertiser_id', 'acme', true)");
      expect((await client.query("select id from campaigns")).rowCount).toBe(2);
      await client.query("commit");
      // Same connection, next statement: the tenant did not leak past the transaction.
      expect((await client.query("select id from campaigns")).rowCount).toBe(0);
    } finally {
      client.release();
    }
  });

  it("lets staff roles read across tenants", async () => {
    const ids = await withStaffScope(web.db, staffScope("analyst"), allCampaignIds);
    expect(ids).toEqual(["acme-1", "acme-2", "globex-1"]);
  });

  it("refuses writes to tenant tables from the web role", async () => {
    const attempt = withAdvertiserScope(web.db, advertiserScope("acme"), (tx) =>
      tx.update(campaigns).set({ name: "renamed" }).where(sql`true`),
    );
    // 42501: insufficient_privilege (drizzle wraps the driver's error as `cause`).
    await expect(attempt).rejects.toMatchObject({ cause: { code: "42501" } });
  });

  it("finds a reporting token by its hash alone, with its advertiser and nothing else", async () => {
    const rows = await withTokenLookup(web.db, hashToken(acmeToken), async (tx) => {
      const tokens = await tx.execute<{ advertiser_id: string }>(
        sql`select advertiser_id from advertiser_tokens`,
      );
      const advertisers = await tx.execute<{ id: string }>(sql`select id from advertisers`);
      return { tokens: tokens.rows, advertisers: advertisers.rows };
    });
    expect(rows).toEqual({ tokens: [{ advertiser_id: "acme" }], advertisers: [{ id: "acme" }] });
  });

  it("keeps full access for the owning role (the pipeline)", async () => {
    expect(await allCampaignIds(owner.db)).toEqual(["acme-1", "acme-2", "globex-1"]);
  });

  it("covers every table with an advertiser_id column except users", async () => {
    const { rows } = await owner.pool.query<{ table: string; enabled: boolean; forced: boolean }>(
      `select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                       and a.attname = 'advertiser_id' and not a.attisdropped)
          and c.relname <> 'users'
        order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => !r.enabled || !r.forced)).toEqual([]);
  });
});
