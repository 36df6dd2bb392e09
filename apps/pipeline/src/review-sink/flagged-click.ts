import type { NewReviewItem } from "@adclick/db/queries";
import { ClickRecord, describeIssue } from "@adclick/shared";
import { z } from "zod";

/** A message on `clicks.flagged`: the click as the ingest wrote it plus the aggregator's decision (C8). */
export const FlaggedClick = ClickRecord.extend({
  risk: z.number().min(0).max(1),
  reasons: z.array(z.string()),
  /** The rules, lists and model versions that decided it (kept with the click for analysts). */
  versions: z
    .object({ rules: z.string(), lists: z.string(), model: z.string().nullable() })
    .optional(),
  /** The model's feature vector when a model scored it (kept with the click: `fraud train` learns from the analyst's verdict on it). */
  features: z.array(z.number()).optional(),
});
export type FlaggedClick = z.infer<typeof FlaggedClick>;

/** Decodes one message value into a review-queue row, or says in one line why it cannot. */
export function toReviewItem(
  value: Buffer | string | null,
): { ok: true; item: NewReviewItem } | { ok: false; error: string } {
  if (value === null) return { ok: false, error: "empty message" };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === "string" ? value : value.toString("utf8"));
  } catch {
    return { ok: false, error: "message is not JSON" };
  }
  const parsed = FlaggedClick.safeParse(json);
  if (!parsed.success) return { ok: false, error: describeIssue(parsed.error) };
  const { risk, reasons, ...click } = parsed.data;
  return {
    ok: true,
    item: {
      partnerId: click.partner_id,
      eventId: click.event_id,
      campaignId: click.campaign_id,
      advertiserId: click.advertiser_id,
      clickTs: new Date(click.ts),
      risk,
      reasons,
      click,
    },
  };
}
