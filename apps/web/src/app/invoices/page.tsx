import { listAdvertisers, listInvoices } from "@adclick/db/queries";
import { monthRange } from "@adclick/shared/invoice";
import { formatMicros } from "@adclick/shared/money";
import type { Metadata } from "next";
import Link from "next/link";
import { canOpen } from "../../server/auth/page-access";
import { requirePage } from "../../server/auth/request-session";
import { webDb } from "../../server/db";
import { withInvoiceScope } from "../../server/invoices/scoped-db";
import { canIssueInvoices } from "../../server/routers/invoices";
import { PageShell } from "../page-shell";
import { BillingExportForm } from "./billing-export-form";
import { IssueInvoiceForm } from "./issue-invoice-form";
import "../campaigns/campaigns.css";
import "./invoices.css";

export const metadata: Metadata = { title: "Invoices" };
export const dynamic = "force-dynamic";

/** The UTC month before the current one, as YYYY-MM: the one usually invoiced next. */
function previousMonth(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7);
}

export default async function InvoicesPage() {
  const session = await requirePage("/invoices");
  const { role } = session.user;
  const { invoices, advertisers } = await withInvoiceScope(webDb().db, session, async (tx) => ({
    invoices: await listInvoices(tx),
    advertisers: (await listAdvertisers(tx)).map(({ id, name }) => ({ id, name })),
  }));
  const finance = canIssueInvoices(role);
  const last = previousMonth();
  const range = monthRange(last);
  return (
    <PageShell title="Invoices">
      <div className="invoice-page">
        <p className="muted">
          Monthly invoices per advertiser from the nightly billing. An issued invoice never changes;
          later corrections to its month appear as credits or debits on the next invoice.
        </p>
        {canOpen(role, "/invoices/reconciliation") && (
          <p>
            <Link href="/invoices/reconciliation">Reconciliation report</Link>
          </p>
        )}
        <div className="invoice-panels">
          {finance && (
            <section className="invoice-panel">
              <h2>Issue an invoice</h2>
              {advertisers.length === 0 ? (
                <p className="muted">No advertisers yet.</p>
              ) : (
                <IssueInvoiceForm advertisers={advertisers} defaultMonth={last} />
              )}
            </section>
          )}
          <section className="invoice-panel">
            <h2>Daily billing as CSV</h2>
            <BillingExportForm advertisers={finance ? advertisers : null} {...range} />
          </section>
        </div>
        {invoices.length === 0 ? (
          <p>No invoices yet.</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th>Number</th>
                  <th>Id</th>
                  <th>Advertiser</th>
                  <th>Month</th>
                  <th>Status</th>
                  <th className="num">Clicks</th>
                  <th className="num">Total</th>
                </tr>
              </thead>
              <tbody>
                {invoices.map((inv) => (
                  <tr key={inv.id}>
                    <td>
                      <Link href={`/invoices/${inv.id}`}>{inv.number ?? "draft"}</Link>
                    </td>
                    <td className="mono">{inv.id}</td>
                    <td>{inv.advertiserId}</td>
                    <td>{inv.month.slice(0, 7)}</td>
                    <td>
                      <span className="status-badge" data-status={inv.status}>
                        {inv.status}
                      </span>
                    </td>
                    <td className="num">{inv.clicks.toLocaleString("en-US")}</td>
                    <td className="num">{formatMicros(inv.totalMicros)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </PageShell>
  );
}
