import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { PageShell } from "../page-shell";

export const metadata: Metadata = { title: "Partners" };

export default async function PartnersPage() {
  await requirePage("/partners");
  return (
    <PageShell title="Partners">
      <p className="muted">
        Partners and their API keys (create, revoke, rate limits) come with issue 18 (operations and
        the admin screens). Until then: adclick partner create --name NAME.
      </p>
    </PageShell>
  );
}
