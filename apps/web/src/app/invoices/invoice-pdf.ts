import type { Invoice } from "@adclick/db/queries";
import { PDFDocument, type PDFFont, rgb, StandardFonts } from "pdf-lib";
import { microsDecimal, type PrintedInvoice, type PrintedLine } from "./invoice-csv";

type PdfInvoice = PrintedInvoice & Pick<Invoice, "issuedAt">;

const MARGIN = 50;
const ROW = 16;
/** Amounts to cents: lines are already rounded to cents, so this drops only zeros. */
const money = (micros: number) => microsDecimal(micros).slice(0, -4);

/** A one-or-more-page A4 PDF: advertiser, period, usage lines, adjustments, total. */
export async function invoicePdf(
  invoice: PdfInvoice,
  advertiserName: string,
  lines: readonly PrintedLine[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(
    `Invoice ${invoice.number ?? "draft"} ${invoice.advertiserId} ${invoice.month.slice(0, 7)}`,
  );
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let page = doc.addPage([595, 842]);
  let y = 842 - MARGIN;
  const text = (s: string, x: number, f: PDFFont = font, size = 10) => {
    page.drawText(s, { x, y, size, font: f, color: rgb(0, 0, 0) });
  };
  const right = (s: string, xRight: number, f: PDFFont = font) =>
    text(s, xRight - f.widthOfTextAtSize(s, 10), f);
  const next = () => {
    y -= ROW;
    if (y < MARGIN + ROW) {
      page = doc.addPage([595, 842]);
      y = 842 - MARGIN;
    }
  };

  text(`Invoice ${invoice.number ?? "(draft)"}`, MARGIN, bold, 18);
  y -= 28;
  text(`Advertiser: ${advertiserName} (${invoice.advertiserId})`, MARGIN);
  next();
  text(`Period: ${invoice.month.slice(0, 7)} (UTC)`, MARGIN);
  next();
  text(
    `Status: ${invoice.status}${invoice.issuedAt ? `, issued ${invoice.issuedAt.toISOString().slice(0, 10)}` : ""}`,
    MARGIN,
  );
  next();
  next();

  const section = (title: string, rows: readonly PrintedLine[]) => {
    if (rows.length === 0) return;
    text(title, MARGIN, bold, 12);
    next();
    text("Campaign", MARGIN, bold);
    text("Day", 190, bold);
    right("Clicks", 330, bold);
    right("Invalid", 390, bold);
    right("Per click", 460, bold);
    right("Amount", 545, bold);
    next();
    for (const l of rows) {
      text(l.campaignId.slice(0, 26), MARGIN);
      text(l.day ?? "whole month", 190);
      right(String(l.clicks), 330);
      right(String(l.invalidClicks), 390);
      right(microsDecimal(l.pricePerClickMicros), 460);
      right(money(l.amountMicros), 545);
      next();
      if (l.cause) {
        text(l.cause.slice(0, 90), MARGIN + 10, font, 8);
        next();
      }
    }
    next();
  };
  section(
    "Clicks this month",
    lines.filter((l) => l.kind === "usage"),
  );
  section(
    "Adjustments to earlier invoices",
    lines.filter((l) => l.kind !== "usage"),
  );
  text("Total", MARGIN, bold, 12);
  right(`USD ${money(invoice.totalMicros)}`, 545, bold);
  next();
  next();
  text(
    "Each line is rounded once to the cent; the total is the sum of the lines.",
    MARGIN,
    font,
    8,
  );
  return doc.save();
}
