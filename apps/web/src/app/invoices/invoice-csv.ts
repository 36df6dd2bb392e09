import type { Invoice, InvoiceLineRow } from "@adclick/db/queries";
import { MICROS_PER_UNIT } from "@adclick/shared/money";
import { toCsv } from "../campaigns/csv";

/** What a printed invoice (CSV or PDF) shows: the stored invoice and its lines. */
export type PrintedInvoice = Pick<Invoice, "number" | "advertiserId" | "month" | "totalMicros"> & {
  status: string;
};
export type PrintedLine = Pick<
  InvoiceLineRow,
  | "campaignId"
  | "day"
  | "cause"
  | "clicks"
  | "invalidClicks"
  | "pricePerClickMicros"
  | "amountMicros"
> & { kind: string };

/** Exact decimal of integer micros (no float maths): 1_230_000 → "1.230000". */
export function microsDecimal(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  return `${sign}${Math.floor(abs / MICROS_PER_UNIT)}.${String(abs % MICROS_PER_UNIT).padStart(6, "0")}`;
}

/** An invoice's printed lines and, last, its total (the sum of the amounts above it). */
export function invoiceCsv(invoice: PrintedInvoice, lines: readonly PrintedLine[]): string {
  const header = [
    "invoice",
    "advertiser",
    "month",
    "line",
    "campaign",
    "day",
    "cause",
    "valid_clicks",
    "invalid_clicks",
    "price_per_click",
    "amount",
  ];
  const head = [invoice.number, invoice.advertiserId, invoice.month.slice(0, 7)] as const;
  const rows = lines.map((l) => [
    ...head,
    l.kind,
    l.campaignId,
    l.day,
    l.cause,
    l.clicks,
    l.invalidClicks,
    microsDecimal(l.pricePerClickMicros),
    microsDecimal(l.amountMicros),
  ]);
  rows.push([
    ...head,
    "total",
    null,
    null,
    null,
    null,
    null,
    null,
    microsDecimal(invoice.totalMicros),
  ]);
  return toCsv(header, rows);
}
