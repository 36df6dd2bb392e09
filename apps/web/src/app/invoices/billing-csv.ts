import type { billingDaily } from "@adclick/db/schema";
import { toCsv } from "../campaigns/csv";
import { microsDecimal } from "./invoice-csv";

/** One `billing_daily` row as the export prints it. */
export type BillingRow = Pick<
  typeof billingDaily.$inferSelect,
  | "day"
  | "advertiserId"
  | "campaignId"
  | "dimension"
  | "clicks"
  | "uniqueUsers"
  | "costMicros"
  | "fraudClicks"
  | "suspiciousClicks"
>;

/**
 * `billing_daily` rows as CSV, one line per (day, campaign, dimension), with the
 * cost both as exact integer micros and as an exact decimal (no rounding: an
 * invoice rounds once per line, this export does not round at all).
 */
export function billingCsv(rows: readonly BillingRow[]): string {
  return toCsv(
    [
      "day",
      "advertiser",
      "campaign",
      "dimension",
      "clicks",
      "unique_users",
      "suspicious_clicks",
      "fraud_clicks",
      "cost_micros",
      "cost",
    ],
    rows.map((r) => [
      r.day,
      r.advertiserId,
      r.campaignId,
      r.dimension,
      r.clicks,
      r.uniqueUsers,
      r.suspiciousClicks,
      r.fraudClicks,
      r.costMicros,
      microsDecimal(r.costMicros),
    ]),
  );
}
