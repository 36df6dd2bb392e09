import { z } from "zod";
import { Breakdown, CounterValues, WindowPoint } from "./counter-values";

/** The live day and billing history of the web's campaign views, shaped for the client. */

export const CampaignId = z.string().min(1).max(128);

/** A row of the campaign list: the campaign and today's (UTC) live totals. */
export const CampaignListRow = CounterValues.extend({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  /** fraud / (counted + fraud) today, 0..1 */
  fraudRate: z.number().min(0).max(1),
});
export type CampaignListRow = z.infer<typeof CampaignListRow>;

export const CampaignList = z.object({
  /** Start of the UTC day the totals are for. */
  dayStartMs: z.number().int(),
  campaigns: z.array(CampaignListRow),
});
export type CampaignList = z.infer<typeof CampaignList>;

export const CampaignSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  cpcMicros: z.number().int(),
});
export type CampaignSummary = z.infer<typeof CampaignSummary>;

/** The last 24 h of one campaign in 5-minute windows; `open` windows may still grow. */
export const LiveSeries = z.object({
  campaignId: z.string(),
  /** The watermark of the campaign's partition (epoch ms), null before the aggregator has any. */
  watermarkMs: z.number().int().nullable(),
  readAtMs: z.number().int(),
  windows: z.array(WindowPoint.extend({ open: z.boolean() })),
});
export type LiveSeries = z.infer<typeof LiveSeries>;

export const LiveBreakdown = z.object({
  campaignId: z.string(),
  dayStartMs: z.number().int(),
  breakdown: Breakdown,
});
export type LiveBreakdown = z.infer<typeof LiveBreakdown>;

export const IsoDay = z.iso.date({ error: "expected a date as YYYY-MM-DD" });

/** A day of the history: from `billing_daily` when billed, else from the live day totals. */
export const HistoryDay = z.object({
  day: IsoDay,
  source: z.enum(["billed", "live"]),
  clicks: z.number().int(),
  uniqueUsers: z.number().int(),
  costMicros: z.number().int(),
  fraud: z.number().int(),
});
export type HistoryDay = z.infer<typeof HistoryDay>;

export const DailyHistory = z.object({
  campaignId: z.string(),
  from: IsoDay,
  to: IsoDay,
  days: z.array(HistoryDay),
});
export type DailyHistory = z.infer<typeof DailyHistory>;
