import type { ReactNode } from "react";
import { requirePage } from "../../server/auth/request-session";
import { HydrateClient } from "../../trpc/server";
import "../campaigns/campaigns.css";
import "./review.css";
import { type ReviewTab, ReviewTabs } from "./review-tabs";

/** One section of the workspace: the role check, its heading, the tabs and its client part. */
export async function ReviewSection(props: {
  tab: ReviewTab;
  title: string;
  intro: ReactNode;
  children: ReactNode;
}) {
  await requirePage(props.tab);
  return (
    <section className="review-page">
      <h1>{props.title}</h1>
      <p className="muted">{props.intro}</p>
      <ReviewTabs current={props.tab} />
      <HydrateClient>{props.children}</HydrateClient>
    </section>
  );
}
