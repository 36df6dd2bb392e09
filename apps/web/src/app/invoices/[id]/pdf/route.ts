import { getAdvertiser, getInvoice } from "@adclick/db/queries";
import { canOpen } from "../../../../server/auth/page-access";
import { readSession } from "../../../../server/auth/session";
import { withInvoiceScope } from "../../../../server/invoices/scoped-db";
import { invoicePdf } from "../../invoice-pdf";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await readSession(req.headers);
  if (!session) return new Response("sign in first\n", { status: 401 });
  if (!canOpen(session.user.role, "/invoices") || !/^[1-9][0-9]{0,15}$/.test(id))
    return new Response("not found\n", { status: 404 });
  const found = await withInvoiceScope(session, async (tx) => {
    const got = await getInvoice(tx, Number(id));
    return got && { ...got, advertiser: await getAdvertiser(tx, got.invoice.advertiserId) };
  });
  if (!found) return new Response("not found\n", { status: 404 });
  const { invoice, lines, advertiser } = found;
  const pdf = await invoicePdf(invoice, advertiser?.name ?? invoice.advertiserId, lines);
  const name = `invoice-${invoice.number ?? invoice.id}-${invoice.advertiserId}-${invoice.month.slice(0, 7)}.pdf`;
  return new Response(new Blob([pdf as BlobPart], { type: "application/pdf" }), {
    headers: {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
}
