import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { PageShell } from "../page-shell";

export const metadata: Metadata = { title: "Invoices" };

export default async function InvoicesPage() {
  await requirePage("/invoices");
  return (
    <PageShell title="Invoices">
      <p className="muted">
        Monthly invoices per advertiser from the nightly billing, with each invoice's id, its lines
        and credits for invalid activity, come with issue 17 (finance).
      </p>
    </PageShell>
  );
}
