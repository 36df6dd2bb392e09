import type { Metadata } from "next";
import Link from "next/link";
import { requirePage } from "../../server/auth/request-session";
import { HydrateClient, prefetch, trpc } from "../../trpc/server";
import { PartnerAdmin } from "./partner-admin";
import "./partners.css";

export const metadata: Metadata = { title: "Partners" };
export const dynamic = "force-dynamic";

export default async function PartnersPage() {
  await requirePage("/partners");
  prefetch(trpc.partners.list.queryOptions());
  return (
    <section className="partners-page">
      <h1>Partners</h1>
      <p className="muted">
        The partners that send clicks, their API keys and request signing, and what the ingest did
        with their traffic. Integration guide for partners: <Link href="/partners/docs">docs</Link>.
      </p>
      <HydrateClient>
        <PartnerAdmin />
      </HydrateClient>
    </section>
  );
}
