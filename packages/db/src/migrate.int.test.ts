import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../test/stack";
import { connectDb, type DbConnection } from "./client";
import { MIGRATIONS_FOLDER, runMigrations } from "./migrate";
import { billingPartitionName, ensureBillingPartition } from "./queries/billing-partitions";
import { insertReconciliationResults, listReconciliationResults } from "./queries/reconciliation";
import { billingDaily } from "./schema";
import { dropTestDatabase } from "./testing";

let stack: TestStack;
let conn: DbConnection;

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL);
});
afterAll(async () => {
  await conn?.close();
  await stack?.cleanup();
});

describe("migrations", () => {
  it("create every C5 table in a fresh database", async () => {
    const rows = await conn.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public'`,
    );
    const tables = rows.rows.map((r) => r.table_name);
    for (const t of [
      "advertisers",
      "campaigns",
      "partners",
      "partner_api_keys",
      "users",
      "review_queue",
      "audit_log",
      "blocklist",
      "invoices",
      "reconciliation_results",
      "batch_runs",
      "billing_daily",
    ]) {
      expect(tables).toContain(t);
    }
  });

  it("are safe to run concurrently on a database that does not exist yet, and idempotent", async () => {
    const name = `adclick_test_${randomBytes(5).toString("hex")}`;
    const url = new URL(stack.config.DATABASE_URL);
    url.pathname = `/${name}`;
    const journal = JSON.parse(
      await readFile(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8"),
    ) as { entries: unknown[] };
    const fresh = connectDb(url.toString());
    try {
      // Both race to create the database and to apply every migration.
      await Promise.all([runMigrations(url.toString()), runMigrations(url.toString())]);
      const applied = async () =>
        (
          await fresh.db.execute<{ n: number }>(
            sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
          )
        ).rows[0]?.n;
      expect(await applied()).toBe(journal.entries.length);
      const tables = await fresh.db.execute<{ n: number }>(
        sql`select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name in ('batch_runs', 'billing_daily')`,
      );
      expect(tables.rows[0]?.n).toBe(2);
      await runMigrations(url.toString());
      expect(await applied()).toBe(journal.entries.length);
    } finally {
      await fresh.close();
      await dropTestDatabase(stack.config.DATABASE_URL, name);
    }
  });

  it("make billing_daily declaratively partitioned by day, with partitions on demand", async () => {
    const kind = await conn.db.execute<{ strategy: string }>(
      sql`select partstrat as strategy from pg_partitioned_table where partrelid = 'billing_daily'::regclass`,
    );
    expect(kind.rows[0]?.strategy).toBe("r");

    const row = {
      day: "2026-11-27",
      campaignId: "c1",
      advertiserId: "a1",
      dimension: "all",
      clicks: 3,
      uniqueUsers: 2,
      costMicros: 1500,
      fraudClicks: 1,
    };
    await expect(conn.db.insert(billingDaily).values(row)).rejects.toThrow();
    expect(await ensureBillingPartition(conn.db, "2026-11-27")).toBe(
      billingPartitionName("2026-11-27"),
    );
    await ensureBillingPartition(conn.db, "2026-11-01");
    await ensureBillingPartition(conn.db, "2026-12-31");
    await conn.db.insert(billingDaily).values(row);
    const stored = await conn.db.execute<{ tableoid: string }>(
      sql`select tableoid::regclass::text as tableoid from billing_daily`,
    );
    expect(stored.rows[0]?.tableoid).toBe("billing_daily_y2026m11");
  });
});

describe("reconciliation results", () => {
  it("stores a check of more campaigns than one INSERT's parameters allow", async () => {
    // 9 parameters a row: 9000 rows are 81 000 parameters, past Postgres's 65 535.
    const rows = Array.from({ length: 9000 }, (_, i) => ({
      day: "2026-02-03",
      campaignId: `cmp-${i}`,
      liveClicks: i,
      billedClicks: i,
      liveCostMicros: 0,
      billedCostMicros: 0,
      discrepancy: 0,
      thresholdExceeded: i === 42,
    }));
    await insertReconciliationResults(conn.db, rows);
    expect((await listReconciliationResults(conn.db, "2026-02-03")).length).toBe(9000);
    const alerts = await listReconciliationResults(conn.db, "2026-02-03", true);
    expect(alerts.map((r) => r.campaignId)).toEqual(["cmp-42"]);
  });
});
