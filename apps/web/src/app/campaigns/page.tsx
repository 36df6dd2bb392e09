import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { HydrateClient, prefetch, trpc } from "../../trpc/server";
import { CampaignTable } from "./campaign-table";
import "./campaigns.css";

export const metadata: Metadata = { title: "Campaigns" };

export default async function CampaignsPage() {
  await requirePage("/campaigns");
  prefetch(trpc.campaigns.list.queryOptions());
  return (
    <section className="campaigns-page">
      <h1>Campaigns</h1>
      <p className="muted">
        Today&apos;s live counts (UTC day), updated every few seconds. Open a campaign for its last
        24 hours, breakdowns and billed history.
      </p>
      <HydrateClient>
        <CampaignTable />
      </HydrateClient>
    </section>
  );
}
