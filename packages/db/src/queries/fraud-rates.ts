import { sql } from "drizzle-orm";
import type { DbOrTx } from "../client";

export interface FraudRateRow {
  day: string;
  key: string;
  seen: number;
  suspicious: number;
  fraud: number;
}

/**
 * Billed clicks per UTC day and campaign (dimension `all`) or partner (the
 * `partner:<id>` dimensions summed over campaigns), from `from` to `to`
 * inclusive: seen = counted + fraud. Staff read every tenant's rows under
 * their scope; an advertiser's scope would see only its own.
 */
export async function listFraudRates(
  db: DbOrTx,
  input: { by: "campaign" | "partner"; from: string; to: string },
): Promise<FraudRateRow[]> {
  const key =
    input.by === "campaign" ? sql`campaign_id` : sql`substr(dimension, length('partner:') + 1)`;
  const dimension =
    input.by === "campaign" ? sql`dimension = 'all'` : sql`dimension like 'partner:%'`;
  const rows = await db.execute<{
    day: string;
    key: string;
    seen: string;
    suspicious: string;
    fraud: string;
  }>(sql`
    select to_char(day, 'YYYY-MM-DD') as day, ${key} as key,
      sum(clicks + fraud_clicks) as seen, sum(suspicious_clicks) as suspicious,
      sum(fraud_clicks) as fraud
    from billing_daily
    where ${dimension} and day between ${input.from}::date and ${input.to}::date
    group by 1, 2
    order by 1, 2`);
  return rows.rows.map((r) => ({
    day: r.day,
    key: r.key,
    seen: Number(r.seen),
    suspicious: Number(r.suspicious),
    fraud: Number(r.fraud),
  }));
}
