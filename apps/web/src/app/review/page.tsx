import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { PageShell } from "../page-shell";

export const metadata: Metadata = { title: "Review queue" };

export default async function ReviewPage() {
  await requirePage("/review");
  return (
    <PageShell title="Review queue">
      <p className="muted">
        The queue of suspicious clicks, each with its event id, risk and reasons, and the analyst's
        clean or fraud verdict with an audit trail, comes with issue 16 (fraud detection and the
        analysts' workspace).
      </p>
    </PageShell>
  );
}
