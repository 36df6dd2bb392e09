import { getAdvertiser, InvoiceAlreadyIssuedError, issueInvoice } from "@adclick/db/queries";
import { formatMicros } from "@adclick/shared/money";
import { type Command, InvalidArgumentError } from "commander";
import { withAdminDb } from "../admin/db";
import { parseId } from "../admin/validate";

export function registerInvoiceCommand(program: Command): void {
  const invoice = program.command("invoice").description("Issue monthly advertiser invoices.");

  invoice
    .command("issue")
    .description(
      "Issue an advertiser's invoice for a month from billing_daily, with adjustments for earlier issued months; prints the invoice id alone on the last line.",
    )
    .requiredOption("--advertiser <id>", "advertiser id")
    .requiredOption("--month <YYYY-MM>", "the UTC month to invoice", parseMonth)
    .action(async (opts: { advertiser: string; month: string }) => {
      const advertiserId = parseId("--advertiser", opts.advertiser);
      const issued = await withAdminDb(async (db) => {
        if (!(await getAdvertiser(db, advertiserId)))
          throw new Error(`unknown advertiser "${advertiserId}"`);
        try {
          return await issueInvoice(db, advertiserId, opts.month);
        } catch (err) {
          if (err instanceof InvoiceAlreadyIssuedError)
            throw new Error(
              `invoice ${err.number} for ${advertiserId} ${opts.month} is already issued; changes go on the next month's invoice as adjustments`,
            );
          throw err;
        }
      });
      process.stdout.write(
        `invoice number ${issued.number} for ${advertiserId} ${opts.month}: ${issued.clicks} clicks, ${formatMicros(issued.totalMicros)}\n${issued.id}\n`,
      );
    });
}

function parseMonth(value: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12)
    throw new InvalidArgumentError(`expected a month such as 2026-11, got "${value}"`);
  return value;
}
