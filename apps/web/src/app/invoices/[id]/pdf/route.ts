import { getAdvertiser } from "@adclick/db/queries";
import { attachment, invoiceForDownload } from "../../../../server/invoices/invoice-download";
import { invoicePdf } from "../../invoice-pdf";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const found = await invoiceForDownload(req, (await params).id, async (tx, { invoice }) => ({
    advertiser: await getAdvertiser(tx, invoice.advertiserId),
  }));
  if (found instanceof Response) return found;
  const { invoice, lines, advertiser } = found;
  const pdf = await invoicePdf(invoice, advertiser?.name ?? invoice.advertiserId, lines);
  return attachment(
    new Blob([pdf as BlobPart], { type: "application/pdf" }),
    "application/pdf",
    invoice,
    "pdf",
  );
}
