import { getInvoice } from "@adclick/db/queries";
import { monthRange } from "@adclick/shared/invoice";
import { formatMicros } from "@adclick/shared/money";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "../../../server/auth/request-session";
import { webDb } from "../../../server/db";
import { withInvoiceScope } from "../../../server/invoices/scoped-db";
import { canIssueInvoices } from "../../../server/routers/invoices";
import { PageShell } from "../../page-shell";
import { MarkPaidButton } from "./mark-paid-button";
import "../../campaigns/campaigns.css";
import "../invoices.css";

export const metadata: Metadata = { title: "Invoice" };
export const dynamic = "force-dynamic";

const LINE_LABEL: Record<string, string> = {
  usage: "Usage",
  credit: "Credit",
  debit: "Debit",
};

export default async function InvoicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const session = await requirePage(`/invoices/${id}`);
  if (!/^[1-9][0-9]{0,15}$/.test(id)) notFound();
  const found = await withInvoiceScope(webDb().db, session, (tx) => getInvoice(tx, Number(id)));
  if (!found) notFound();
  const { invoice, lines } = found;
  const month = invoice.month.slice(0, 7);
  const { from, to } = monthRange(month);
  const billing = `/invoices/billing.csv?${new URLSearchParams({ advertiser: invoice.advertiserId, from, to })}`;
  return (
    <PageShell title={`Invoice ${invoice.number ?? "(draft)"}`}>
      <div className="invoice-page">
        <p>
          <Link href="/invoices">← All invoices</Link>
        </p>
        <p>
          {invoice.advertiserId} · {month} ·{" "}
          <span className="status-badge" data-status={invoice.status}>
            {invoice.status}
          </span>
          {invoice.issuedAt ? ` · issued ${invoice.issuedAt.toISOString().slice(0, 10)}` : ""}
          {invoice.paidAt ? ` · paid ${invoice.paidAt.toISOString().slice(0, 10)}` : ""}
        </p>
        <p>
          <a href={`/invoices/${invoice.id}/csv`} download>
            Download CSV
          </a>{" "}
          ·{" "}
          <a href={`/invoices/${invoice.id}/pdf`} download>
            Download PDF
          </a>{" "}
          ·{" "}
          <a href={billing} download>
            Daily billing of {month} (CSV)
          </a>
        </p>
        {invoice.status === "issued" && canIssueInvoices(session.user.role) && (
          <MarkPaidButton id={invoice.id} label={`invoice ${invoice.number}`} />
        )}
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>Line</th>
                <th>Campaign</th>
                <th>Day</th>
                <th>Cause</th>
                <th className="num">Valid clicks</th>
                <th className="num">Invalid removed</th>
                <th className="num">Price per click</th>
                <th className="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr key={l.id}>
                  <td>{LINE_LABEL[l.kind] ?? l.kind}</td>
                  <td>{l.campaignId}</td>
                  <td>{l.day ?? "whole month"}</td>
                  <td>{l.cause ?? ""}</td>
                  <td className="num">{l.clicks.toLocaleString("en-US")}</td>
                  <td className="num">{l.invalidClicks.toLocaleString("en-US")}</td>
                  <td className="num">{formatMicros(l.pricePerClickMicros)}</td>
                  <td className="num">{formatMicros(l.amountMicros)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={7}>Total</th>
                <th className="num">{formatMicros(invoice.totalMicros)}</th>
              </tr>
            </tfoot>
          </table>
        </div>
      </div>
    </PageShell>
  );
}
