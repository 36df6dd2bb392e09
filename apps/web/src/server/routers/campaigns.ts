import {
  CampaignId,
  CampaignList,
  CampaignSummary,
  DailyHistory,
  IsoDay,
  LiveBreakdown,
  LiveSeries,
} from "@adclick/shared/live-counters";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import {
  campaignList,
  dailyHistory,
  liveBreakdown,
  liveSeries,
  ownCampaign,
} from "../live/campaign-live";
import { type LiveSource, webLiveSource } from "../live/live-source";
import { advertiserProcedure } from "../trpc";

const ById = z.object({ id: CampaignId });

/** Longest daily-history range one call may ask for. */
const MAX_HISTORY_DAYS = 366;

const HistoryRange = ById.extend({ from: IsoDay, to: IsoDay }).refine(
  (r) => r.from <= r.to && Date.parse(r.to) - Date.parse(r.from) < MAX_HISTORY_DAYS * 86_400_000,
  {
    error: `from must not be after to, and the range at most ${MAX_HISTORY_DAYS} days`,
    path: ["to"],
  },
);

function found<T>(value: T | null, id: string): T {
  if (value === null)
    throw new TRPCError({ code: "NOT_FOUND", message: `campaign ${id} not found` });
  return value;
}

/**
 * The advertiser's campaigns and their live counters. Every procedure is an
 * advertiser's, scoped by the session; another tenant's campaign is NOT_FOUND.
 * `live` is where counters are read (tests pass their own Redis).
 */
export function makeCampaignsRouter(
  live: () => LiveSource = webLiveSource,
  now: () => number = Date.now,
) {
  return {
    /** Each campaign with today's (UTC) clicks, unique users, spend and fraud rate. */
    list: advertiserProcedure
      .output(CampaignList)
      .query(({ ctx }) => campaignList(ctx.db, live(), ctx.scope, now())),

    byId: advertiserProcedure
      .meta({ campaignInput: (id) => ({ id }) })
      .input(ById)
      .output(CampaignSummary)
      .query(async ({ ctx, input }) =>
        found(await ownCampaign(ctx.db, ctx.scope, input.id), input.id),
      ),

    /** The last 24 h in 5-minute windows, with the open (provisional) ones marked. */
    liveSeries: advertiserProcedure
      .meta({ campaignInput: (id) => ({ id }) })
      .input(ById)
      .output(LiveSeries)
      .query(async ({ ctx, input }) =>
        found(await liveSeries(ctx.db, live(), ctx.scope, input.id, now()), input.id),
      ),

    /** Today's counters by country, device and partner. */
    breakdown: advertiserProcedure
      .meta({ campaignInput: (id) => ({ id }) })
      .input(ById)
      .output(LiveBreakdown)
      .query(async ({ ctx, input }) =>
        found(await liveBreakdown(ctx.db, live(), ctx.scope, input.id, now()), input.id),
      ),

    /** Per day from `billing_daily`, live day totals for days not billed yet. */
    dailyHistory: advertiserProcedure
      .meta({ campaignInput: (id) => ({ id, from: "2026-01-01", to: "2026-01-07" }) })
      .input(HistoryRange)
      .output(DailyHistory)
      .query(async ({ ctx, input }) =>
        found(await dailyHistory(ctx.db, live(), ctx.scope, input.id, input, now()), input.id),
      ),
  } satisfies TRPCRouterRecord;
}

export const campaignsRouter = makeCampaignsRouter();
