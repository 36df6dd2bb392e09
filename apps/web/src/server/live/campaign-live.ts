import type { Database } from "@adclick/db/client";
import { getCampaign, listBilledDays, listCampaigns, listPartners } from "@adclick/db/queries";
import { type AdvertiserScope, withAdvertiserScope } from "@adclick/db/scope";
import { dayStartMs, parseIsoDay, WINDOW_MS, windowStartMs } from "@adclick/shared";
import {
  type CampaignList,
  type CampaignSummary,
  campaignWatermarkMs,
  type DailyHistory,
  fraudRate,
  isoDaysBetween,
  isWindowOpen,
  type LiveBreakdown,
  type LiveSeries,
  mergeHistory,
  readBreakdown,
  readDaySeries,
  readDayTotals,
  readWatermarks,
  readWindowSeries,
  ZERO_COUNTERS,
} from "@adclick/shared/live-counters";
import type { LiveSource } from "./live-source";

/**
 * The advertiser's live views. Redis keys carry no tenant, so every read of a
 * campaign's counters first proves in Postgres (under the scope, RLS included)
 * that the campaign is the scope's; null means "not yours or not there".
 */

/** Windows in the live chart: the last 24 h, ending with the window that holds `nowMs`. */
export const LIVE_WINDOWS = 288;

export async function campaignList(
  db: Database,
  live: LiveSource,
  scope: AdvertiserScope,
  nowMs: number,
): Promise<CampaignList> {
  const rows = await withAdvertiserScope(db, scope, (tx) => listCampaigns(tx, scope));
  const totals = await readDayTotals(
    live.redis,
    rows.map((r) => r.id),
    nowMs,
  );
  return {
    dayStartMs: dayStartMs(nowMs),
    campaigns: rows.map((r) => {
      const c = totals.get(r.id) ?? ZERO_COUNTERS;
      return { id: r.id, name: r.name, status: r.status, ...c, fraudRate: fraudRate(c) };
    }),
  };
}

export async function ownCampaign(
  db: Database,
  scope: AdvertiserScope,
  campaignId: string,
): Promise<CampaignSummary | null> {
  return withAdvertiserScope(db, scope, (tx) => getCampaign(tx, scope, campaignId));
}

export async function liveSeries(
  db: Database,
  live: LiveSource,
  scope: AdvertiserScope,
  campaignId: string,
  nowMs: number,
): Promise<LiveSeries | null> {
  if (!(await ownCampaign(db, scope, campaignId))) return null;
  const lastStart = windowStartMs(nowMs);
  const fromMs = lastStart - (LIVE_WINDOWS - 1) * WINDOW_MS;
  const [windows, marks] = await Promise.all([
    readWindowSeries(live.redis, campaignId, { fromMs, toMs: lastStart + WINDOW_MS }),
    readWatermarks(live.redis, live.topicPrefix),
  ]);
  const watermarkMs = campaignWatermarkMs(marks, campaignId, live.numPartitions);
  return {
    campaignId,
    watermarkMs,
    readAtMs: nowMs,
    windows: windows.map((w) => ({ ...w, open: isWindowOpen(w.windowStartMs, watermarkMs) })),
  };
}

export async function liveBreakdown(
  db: Database,
  live: LiveSource,
  scope: AdvertiserScope,
  campaignId: string,
  nowMs: number,
): Promise<LiveBreakdown | null> {
  if (!(await ownCampaign(db, scope, campaignId))) return null;
  // Partner ids are readable to a scoped transaction only (row-level security).
  const partners = await withAdvertiserScope(db, scope, (tx) => listPartners(tx));
  const breakdown = await readBreakdown(
    live.redis,
    campaignId,
    { dayMs: nowMs },
    partners.map((p) => p.id),
  );
  return { campaignId, dayStartMs: dayStartMs(nowMs), breakdown };
}

/** Days older than this are read from billing only: live day keys live 72 h after their day (C3). */
const LIVE_DAYS_BACK = 3;

export async function dailyHistory(
  db: Database,
  live: LiveSource,
  scope: AdvertiserScope,
  campaignId: string,
  range: { from: string; to: string },
  nowMs: number,
): Promise<DailyHistory | null> {
  const billed = await withAdvertiserScope(db, scope, async (tx) => {
    if (!(await getCampaign(tx, scope, campaignId))) return null;
    return listBilledDays(tx, scope, campaignId, range.from, range.to);
  });
  if (billed === null) return null;
  const days = isoDaysBetween(range.from, range.to);
  const billedDays = new Set(billed.map((b) => b.day));
  const oldestLive = dayStartMs(nowMs) - LIVE_DAYS_BACK * 86_400_000;
  const liveDays = days
    .filter((d) => !billedDays.has(d))
    .map(parseIsoDay)
    .filter((ms) => ms >= oldestLive && ms <= nowMs);
  const livePoints = await readDaySeries(live.redis, campaignId, liveDays);
  return {
    campaignId,
    from: range.from,
    to: range.to,
    days: mergeHistory(days, billed, livePoints),
  };
}
