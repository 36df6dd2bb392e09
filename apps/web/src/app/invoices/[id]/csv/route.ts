import { attachment, invoiceForDownload } from "../../../../server/invoices/invoice-download";
import { invoiceCsv } from "../../invoice-csv";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const found = await invoiceForDownload(req, (await params).id);
  if (found instanceof Response) return found;
  return attachment(
    invoiceCsv(found.invoice, found.lines),
    "text/csv; charset=utf-8",
    found.invoice,
    "csv",
  );
}
