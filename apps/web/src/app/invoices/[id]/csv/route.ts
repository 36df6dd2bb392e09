import { getInvoice } from "@adclick/db/queries";
import { canOpen } from "../../../../server/auth/page-access";
import { readSession } from "../../../../server/auth/session";
import { withInvoiceScope } from "../../../../server/invoices/scoped-db";
import { invoiceCsv } from "../../invoice-csv";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await readSession(req.headers);
  if (!session) return new Response("sign in first\n", { status: 401 });
  if (!canOpen(session.user.role, "/invoices") || !/^[1-9][0-9]{0,15}$/.test(id))
    return new Response("not found\n", { status: 404 });
  const found = await withInvoiceScope(session, (tx) => getInvoice(tx, Number(id)));
  if (!found) return new Response("not found\n", { status: 404 });
  const name = `invoice-${found.invoice.number ?? found.invoice.id}-${found.invoice.advertiserId}-${found.invoice.month.slice(0, 7)}.csv`;
  return new Response(invoiceCsv(found.invoice, found.lines), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
}
