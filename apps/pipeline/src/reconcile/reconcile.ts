import type { Database } from "@adclick/db/client";
import {
  insertReconciliationResults,
  listBillingDayTotals,
  type NewReconciliationResult,
} from "@adclick/db/queries";
import { DAY_MS, DAY_TTL_AFTER_END_S, parseIsoDay } from "@adclick/shared";
import { readDayTotals, scanDayTotalCampaigns, ZERO_COUNTERS } from "@adclick/shared/live-counters";
import type { RedisClient } from "@adclick/shared/redis";
import { Counter, Gauge, type Registry } from "prom-client";
import type { Logger } from "../runtime/logger";

export interface ReconcileDeps {
  db: Database;
  redis: RedisClient;
  logger: Logger;
  registry?: Registry;
  /** Clock (default Date.now). */
  now?: () => number;
}

export interface CampaignReconciliation {
  campaignId: string;
  liveClicks: number;
  billedClicks: number;
  liveCostMicros: number;
  billedCostMicros: number;
  /** |live - billed| / max(billed, 1) on clicks. */
  discrepancy: number;
  thresholdExceeded: boolean;
}

export interface ReconcileReport {
  day: string;
  /**
   * False when the day's live totals have expired (C3: 72 h after the day
   * ends): nothing was compared, stored or alerted.
   */
  liveData: boolean;
  /** As a fraction: 0.05 is 5%. */
  threshold: number;
  campaigns: CampaignReconciliation[];
  exceeded: CampaignReconciliation[];
}

/** Default alert threshold: more than 5% apart (C3/C5 reconciliation). */
export const DEFAULT_THRESHOLD = 0.05;

/** Whether the live day totals of the day starting at `dayMs` may still be in Redis at `nowMs`. */
export function hasLiveData(dayMs: number, nowMs: number): boolean {
  return nowMs < dayMs + DAY_MS + DAY_TTL_AFTER_END_S * 1000;
}

/**
 * Compares, per campaign, the live day total in Redis (`counter:{cid}:YYYYMMDD:all`)
 * with the billed `all` row of `billing_daily`, stores one result row per
 * campaign, and raises an alert (metric + error log) for every campaign whose
 * clicks differ by more than `threshold`. A campaign present on one side only
 * counts as 100% apart. A day whose live totals have expired is not compared
 * (`liveData: false`): its campaigns would all look 100% apart.
 */
export async function reconcileDay(
  deps: ReconcileDeps,
  day: string,
  threshold = DEFAULT_THRESHOLD,
): Promise<ReconcileReport> {
  const dayMs = parseIsoDay(day);
  const metrics = deps.registry ? reconcileMetrics(deps.registry) : null;
  if (!hasLiveData(dayMs, (deps.now ?? Date.now)())) {
    deps.logger.warn(
      { day },
      "reconciliation skipped: no live data (live day totals expire 72 h after the day ends)",
    );
    return { day, liveData: false, threshold, campaigns: [], exceeded: [] };
  }
  const billed = new Map((await listBillingDayTotals(deps.db, day)).map((r) => [r.campaignId, r]));
  const liveIds = await scanDayTotalCampaigns(deps.redis, dayMs);
  const ids = [...new Set([...billed.keys(), ...liveIds])].sort();
  const live = await readDayTotals(deps.redis, ids, dayMs);
  const campaigns: CampaignReconciliation[] = ids.map((campaignId) => {
    const { clicks: liveClicks, costMicros: liveCostMicros } =
      live.get(campaignId) ?? ZERO_COUNTERS;
    const b = billed.get(campaignId);
    const billedClicks = b?.clicks ?? 0;
    const discrepancy = Math.abs(liveClicks - billedClicks) / Math.max(billedClicks, 1);
    return {
      campaignId,
      liveClicks,
      billedClicks,
      liveCostMicros,
      billedCostMicros: b?.costMicros ?? 0,
      discrepancy,
      thresholdExceeded: discrepancy > threshold,
    };
  });
  const rows: NewReconciliationResult[] = campaigns.map((c) => ({ day, ...c }));
  await insertReconciliationResults(deps.db, rows);
  const exceeded = campaigns.filter((c) => c.thresholdExceeded);
  if (metrics) {
    const m = metrics;
    m.campaignsOver.set(exceeded.length);
    m.maxDiscrepancy.set(Math.max(0, ...campaigns.map((c) => c.discrepancy)));
    if (exceeded.length) m.alerts.inc();
  }
  if (exceeded.length) {
    deps.logger.error(
      {
        alert: "reconciliation_discrepancy",
        day,
        threshold,
        campaigns: exceeded.map((c) => ({
          campaignId: c.campaignId,
          live: c.liveClicks,
          billed: c.billedClicks,
          discrepancy: c.discrepancy,
        })),
      },
      `reconciliation alert: ${describeExceeded(exceeded)} differ by more than ${formatPercent(threshold)} between live counters and billing for ${day}`,
    );
  } else {
    deps.logger.info({ day, campaigns: campaigns.length, threshold }, "reconciliation passed");
  }
  return { day, liveData: true, threshold, campaigns, exceeded };
}

export function describeExceeded(exceeded: readonly CampaignReconciliation[]): string {
  return exceeded
    .map(
      (c) =>
        `${c.campaignId} (${formatPercent(c.discrepancy)}: live ${c.liveClicks}, billed ${c.billedClicks})`,
    )
    .join(", ");
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%`;
}

export function reconcileMetrics(registry: Registry) {
  const get = <T>(name: string, make: () => T): T =>
    (registry.getSingleMetric(name) as T | undefined) ?? make();
  return {
    alerts: get(
      "adclick_reconciliation_alerts_total",
      () =>
        new Counter({
          name: "adclick_reconciliation_alerts_total",
          help: "Reconciliations with a campaign over the threshold",
          registers: [registry],
        }),
    ),
    campaignsOver: get(
      "adclick_reconciliation_campaigns_over_threshold",
      () =>
        new Gauge({
          name: "adclick_reconciliation_campaigns_over_threshold",
          help: "Campaigns over the discrepancy threshold in the last reconciliation",
          registers: [registry],
        }),
    ),
    maxDiscrepancy: get(
      "adclick_reconciliation_max_discrepancy_ratio",
      () =>
        new Gauge({
          name: "adclick_reconciliation_max_discrepancy_ratio",
          help: "Largest |live - billed| / billed clicks of any campaign in the last reconciliation",
          registers: [registry],
        }),
    ),
  };
}
