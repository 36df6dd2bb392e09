import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { HydrateClient } from "../../trpc/server";
import { SystemOverview } from "./system-overview";
import "../partners/partners.css";

export const metadata: Metadata = { title: "System" };
export const dynamic = "force-dynamic";

export default async function SystemPage() {
  await requirePage("/system");
  return (
    <section className="system-page">
      <h1>System</h1>
      <p className="muted">
        How the pipeline is doing right now: what the ingest receives, how far each consumer is
        behind, fraud, how the live counts compare with the nightly batch, and each service&apos;s
        health.
      </p>
      <HydrateClient>
        <SystemOverview />
      </HydrateClient>
    </section>
  );
}
