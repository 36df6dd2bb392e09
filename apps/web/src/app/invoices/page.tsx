import { listInvoices } from "@adclick/db/queries";
import { formatMicros } from "@adclick/shared/money";
import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "../../server/auth/request-session";
import { webDb } from "../../server/db";
import { withInvoiceScope } from "../../server/invoices/scoped-db";
import { PageShell } from "../page-shell";

export const metadata: Metadata = { title: "Invoices" };
export const dynamic = "force-dynamic";

export default async function InvoicesPage() {
  const session = await requirePage("/invoices");
  const invoices = await withInvoiceScope(webDb().db, session, (tx) => listInvoices(tx));
  return (
    <PageShell title="Invoices">
      <p className="muted">
        Monthly invoices per advertiser from the nightly billing. An issued invoice never changes;
        later corrections to its month appear as credits or debits on the next invoice.
      </p>
      {session.user.role !== "advertiser" && (
        <p>
          <Link href="/invoices/reconciliation">Reconciliation report</Link>
        </p>
      )}
      {invoices.length === 0 ? (
        <p>No invoices yet.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>Number</th>
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
                <td>{inv.advertiserId}</td>
                <td>{inv.month.slice(0, 7)}</td>
                <td>{inv.status}</td>
                <td className="num">{inv.clicks.toLocaleString("en-US")}</td>
                <td className="num">{formatMicros(inv.totalMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PageShell>
  );
}
