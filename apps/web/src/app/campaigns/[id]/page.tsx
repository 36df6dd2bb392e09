import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePage } from "../../../server/auth/request-session";
import { HydrateClient, prefetch, serverCaller, trpc } from "../../../trpc/server";
import "../campaigns.css";
import { BreakdownPanel } from "./breakdown-panel";
import { HistoryPanel } from "./history-panel";
import { LiveChart } from "./live-chart";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: `Campaign ${decodeURIComponent((await params).id)}` };
}

export default async function CampaignPage({ params }: Params) {
  const raw = (await params).id;
  const id = decodeURIComponent(raw);
  await requirePage(`/campaigns/${raw}`);
  const caller = await serverCaller();
  // Another tenant's campaign answers exactly like a campaign that does not exist (C10).
  const campaign = await caller.campaigns.byId({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST"))
      notFound();
    throw error;
  });
  prefetch(trpc.campaigns.liveSeries.queryOptions({ id }));
  prefetch(trpc.campaigns.breakdown.queryOptions({ id }));
  return (
    <section className="campaigns-page">
      <Link href="/campaigns" className="back-link">
        ← All campaigns
      </Link>
      <h1>
        {campaign.name} <span className="mono muted">{campaign.id}</span>
        {campaign.status !== "active" ? <span className="badge">{campaign.status}</span> : null}
      </h1>
      <HydrateClient>
        <LiveChart campaignId={id} />
        <BreakdownPanel campaignId={id} />
        <HistoryPanel campaignId={id} />
      </HydrateClient>
    </section>
  );
}
