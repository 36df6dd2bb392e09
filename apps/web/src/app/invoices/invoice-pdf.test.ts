import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { invoiceCsv } from "./invoice-csv";
import { invoicePdf } from "./invoice-pdf";

/** The strings drawn on each page, read back from the PDF's content streams. */
async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  const out: string[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray() : [contents];
    for (const ref of streams) {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      const ops = new TextDecoder("latin1").decode(decodePDFRawStream(stream).decode());
      for (const m of ops.matchAll(/<([0-9A-Fa-f]*)> Tj/g))
        out.push(Buffer.from(m[1] ?? "", "hex").toString("latin1"));
    }
  }
  return out;
}

const invoice = {
  number: 12,
  advertiserId: "acme",
  month: "2026-11-01",
  status: "issued",
  issuedAt: new Date("2026-12-01T09:00:00Z"),
  totalMicros: 2_660_000,
};
const lines = [
  {
    kind: "usage",
    campaignId: "acme-1",
    day: null,
    cause: null,
    clicks: 10,
    invalidClicks: 1,
    pricePerClickMicros: 333_333,
    amountMicros: 3_330_000,
  },
  {
    kind: "credit",
    campaignId: "acme-1",
    day: "2026-10-06",
    cause: "invalid activity: 2 clicks removed after issue",
    clicks: -2,
    invalidClicks: 2,
    pricePerClickMicros: 333_333,
    amountMicros: -670_000,
  },
];

describe("invoicePdf", () => {
  it("is a real PDF naming advertiser, period, lines, adjustments and a total equal to the CSV's", async () => {
    const bytes = await invoicePdf(invoice, "Acme Outdoor", lines);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const text = await pdfText(bytes);
    expect(text).toContain("Invoice 12");
    expect(text).toContain("Advertiser: Acme Outdoor (acme)");
    expect(text).toContain("Period: 2026-11 (UTC)");
    expect(text).toContain("Adjustments to earlier invoices");
    expect(text).toContain("2026-10-06");
    expect(text).toContain("invalid activity: 2 clicks removed after issue");
    expect(text).toContain("3.33");
    expect(text).toContain("-0.67");
    const pdfTotal = text[text.indexOf("Total") + 1];
    const csvTotal = invoiceCsv(invoice, lines).trimEnd().split("\r\n").at(-1)?.split(",").at(-1);
    expect(pdfTotal).toBe("USD 2.66");
    expect(Number(pdfTotal?.slice(4))).toBe(Number(csvTotal));
  });
});
