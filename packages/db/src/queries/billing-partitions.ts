import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

/** `billing_daily_y2026m11` for any day in November 2026. */
export function billingPartitionName(day: string): string {
  const [year, month] = day.split("-");
  return `billing_daily_y${year}m${month}`;
}

/**
 * Creates the monthly partition of billing_daily that holds `day` (YYYY-MM-DD),
 * if missing. Idempotent and safe when two batches race.
 */
export async function ensureBillingPartition(db: DbOrTx, day: string): Promise<string> {
  const m = /^(\d{4})-(\d{2})-\d{2}$/.exec(day);
  if (!m) throw new Error(`day must be YYYY-MM-DD, got "${day}"`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const from = `${m[1]}-${m[2]}-01`;
  const next =
    month === 12 ? `${year + 1}-01-01` : `${m[1]}-${String(month + 1).padStart(2, "0")}-01`;
  const name = billingPartitionName(day);
  await db.execute(
    sql.raw(
      `create table if not exists "${name}" partition of billing_daily for values from ('${from}') to ('${next}')`,
    ),
  );
  return name;
}
