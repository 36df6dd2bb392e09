import type { Database } from "@adclick/db/client";
import { billingDailyForAdvertiser, getAdvertiser } from "@adclick/db/queries";
import { BillingExportQuery } from "@adclick/shared/invoice";
import { billingCsv } from "../../app/invoices/billing-csv";
import { canOpen } from "../auth/page-access";
import type { Session } from "../auth/session-user";
import { withInvoiceScope } from "./scoped-db";

const text = (body: string, status: number) =>
  new Response(`${body}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });

/**
 * `GET /invoices/billing.csv?advertiser=ID&from=YYYY-MM-DD&to=YYYY-MM-DD`: the
 * advertiser's `billing_daily` rows over the inclusive range, every dimension.
 * Finance and admin name any advertiser; an advertiser gets its own (naming
 * another answers 404, as for any other tenant's data). Bad dates answer 400
 * with the parameter and what is wrong.
 */
export async function handleBillingExport(
  req: Request,
  deps: { db: Database; session: Session | null },
): Promise<Response> {
  const { session } = deps;
  if (!session) return text("sign in first", 401);
  const { role, advertiserId: own } = session.user;
  if (!canOpen(role, "/invoices/billing.csv")) return text("not found", 404);

  const search = new URL(req.url).searchParams;
  const parsed = BillingExportQuery.safeParse({
    advertiser: search.get("advertiser") || undefined,
    from: search.get("from") ?? undefined,
    to: search.get("to") ?? undefined,
  });
  if (!parsed.success) return text(parsed.error.issues[0]?.message ?? "bad query", 400);
  const { from, to } = parsed.data;

  let advertiserId: string;
  if (role === "advertiser") {
    if (!own) return text("not found", 404);
    if (parsed.data.advertiser && parsed.data.advertiser !== own) return text("not found", 404);
    advertiserId = own;
  } else {
    if (!parsed.data.advertiser) return text("advertiser is required", 400);
    advertiserId = parsed.data.advertiser;
  }

  const rows = await withInvoiceScope(deps.db, session, async (tx) =>
    (await getAdvertiser(tx, advertiserId))
      ? billingDailyForAdvertiser(tx, advertiserId, from, to)
      : null,
  );
  if (!rows) return text(`advertiser ${advertiserId} not found`, 404);
  return new Response(billingCsv(rows), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="billing-${advertiserId.replace(/[^\w.-]/g, "_")}-${from}-${to}.csv"`,
      "cache-control": "no-store",
    },
  });
}
