import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { PageShell } from "../page-shell";

export const metadata: Metadata = { title: "System" };

export default async function SystemPage() {
  await requirePage("/system");
  return (
    <PageShell title="System">
      <p className="muted">
        Ingest rate, consumer lag, fraud rate, real-time versus batch accuracy and the health of
        each service come with issue 18 (operations). Until then the pipeline's Prometheus metrics
        are at /metrics on the ingest port.
      </p>
    </PageShell>
  );
}
