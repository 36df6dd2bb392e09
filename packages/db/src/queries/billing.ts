import { and, asc, between, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { DbOrTx } from "../client";
import * as schema from "../schema";
import type { AdvertiserScope } from "../scope";
import { ensureBillingPartition } from "./billing-partitions";

/** One billing row: (day, campaign, dimension) with the C3 dimension spelling. */
export interface BillingRow {
  campaignId: string;
  advertiserId: string;
  dimension: string;
  clicks: number;
  uniqueUsers: number;
  costMicros: number;
  fraudClicks: number;
  suspiciousClicks: number;
}

const COPY_COLUMNS = [
  "day",
  "campaign_id",
  "advertiser_id",
  "dimension",
  "clicks",
  "unique_users",
  "cost_micros",
  "fraud_clicks",
  "suspicious_clicks",
  "batch_run_id",
] as const;

/**
 * Replaces every billing row of `day` in one transaction: create the month's
 * partition if missing, delete the day, COPY the new rows in (no row-by-row
 * inserts), then run `inTransaction` (the batch marks its run succeeded there)
 * and commit. Readers see the old day or the new one, never a mix.
 */
export async function replaceBillingDay(
  pool: pg.Pool,
  day: string,
  rows: readonly BillingRow[],
  batchRunId: number | null,
  inTransaction?: (tx: DbOrTx) => Promise<void>,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    // A drizzle handle over this transaction's connection, typed like the app's.
    const tx = drizzle(client, { schema }) as unknown as DbOrTx;
    await ensureBillingPartition(tx, day);
    await client.query("delete from billing_daily where day = $1", [day]);
    if (rows.length) {
      const stream = client.query(
        copyFrom(`copy billing_daily (${COPY_COLUMNS.join(", ")}) from stdin`),
      );
      const runId = batchRunId === null ? "\\N" : String(batchRunId);
      const done = new Promise<void>((resolve, reject) => {
        stream.on("finish", resolve);
        stream.on("error", reject);
      });
      let chunk = "";
      for (const r of rows) {
        chunk += `${day}\t${copyText(r.campaignId)}\t${copyText(r.advertiserId)}\t${copyText(r.dimension)}\t${r.clicks}\t${r.uniqueUsers}\t${r.costMicros}\t${r.fraudClicks}\t${r.suspiciousClicks}\t${runId}\n`;
        if (chunk.length > 64 * 1024) {
          if (!stream.write(chunk)) await new Promise((resolve) => stream.once("drain", resolve));
          chunk = "";
        }
      }
      stream.end(chunk);
      await done;
    }
    if (inTransaction) await inTransaction(tx);
    await client.query("commit");
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Escapes a value for COPY's text format. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}

export type BillingDailyRow = typeof schema.billingDaily.$inferSelect;

/** Every billing row of one day, ordered by campaign and dimension. */
export async function listBillingDay(db: DbOrTx, day: string): Promise<BillingDailyRow[]> {
  return db
    .select()
    .from(schema.billingDaily)
    .where(eq(schema.billingDaily.day, day))
    .orderBy(asc(schema.billingDaily.campaignId), asc(schema.billingDaily.dimension));
}

/** The `all` row of every campaign billed on `day`: what reconciliation compares with the live totals. */
export async function listBillingDayTotals(
  db: DbOrTx,
  day: string,
): Promise<Array<{ campaignId: string; clicks: number; costMicros: number }>> {
  const rows = await listBillingDay(db, day);
  return rows
    .filter((r) => r.dimension === "all")
    .map((r) => ({ campaignId: r.campaignId, clicks: r.clicks, costMicros: r.costMicros }));
}

/** One billed day of one campaign (its `all` row). */
export interface BilledDay {
  day: string;
  clicks: number;
  uniqueUsers: number;
  costMicros: number;
  fraudClicks: number;
}

/**
 * The billed `all` rows of one of the scope's campaigns for the days
 * `fromDay`..`toDay` (YYYY-MM-DD, inclusive), oldest first. Another
 * advertiser's campaign has no rows here.
 */
export async function listBilledDays(
  db: DbOrTx,
  scope: AdvertiserScope,
  campaignId: string,
  fromDay: string,
  toDay: string,
): Promise<BilledDay[]> {
  const b = schema.billingDaily;
  return db
    .select({
      day: b.day,
      clicks: b.clicks,
      uniqueUsers: b.uniqueUsers,
      costMicros: b.costMicros,
      fraudClicks: b.fraudClicks,
    })
    .from(b)
    .where(
      and(
        eq(b.advertiserId, scope.advertiserId),
        eq(b.campaignId, campaignId),
        eq(b.dimension, "all"),
        between(b.day, fromDay, toDay),
      ),
    )
    .orderBy(asc(b.day));
}
