import type { Metadata } from "next";
import { requirePage } from "../../server/auth/request-session";
import { HydrateClient } from "../../trpc/server";
import { ReviewQueue } from "./review-queue";

export const metadata: Metadata = { title: "Review queue" };

export default async function ReviewPage() {
  await requirePage("/review");
  return (
    <section className="review-page">
      <h1>Review queue</h1>
      <p className="muted">
        Suspicious clicks waiting for a verdict. A verdict overrides the model in the next nightly
        billing run.
      </p>
      <HydrateClient>
        <ReviewQueue />
      </HydrateClient>
    </section>
  );
}
