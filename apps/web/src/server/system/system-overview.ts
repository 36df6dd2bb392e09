/**
 * The figures of the /system page, each read from where the pipeline keeps it:
 * ingest traffic by minute (Redis, as the ingest records it per partner), the
 * consumer groups' lag (Kafka), the aggregator's event-time watermark and the
 * day's fraud counters (Redis), the nightly batch and reconciliation (Postgres),
 * and each service's health. A source that does not answer is reported as
 * down, never fails the page.
 */
import type { Database } from "@adclick/db/client";
import {
  latestReconciliationSince,
  listBatchRuns,
  listCampaignIds,
  listPartners,
} from "@adclick/db/queries";
import { type StaffScope, withStaffScope } from "@adclick/db/scope";
import { isoDay } from "@adclick/shared";
import { fraudRate, readDayTotals, readWatermarks } from "@adclick/shared/live-counters";
import { sql } from "drizzle-orm";
import type { Kafka } from "kafkajs";
import type { LiveSource } from "../live/live-source";
import { readPartnerTraffic } from "../partners/partner-traffic";
import { type ConsumerLag, readConsumerLag } from "./consumer-lag";

export interface ServiceHealth {
  name: string;
  ok: boolean;
  detail: string;
}

export interface SystemOverview {
  readAtMs: number;
  ingest: Array<{ minuteStartMs: number; accepted: number; rejected: number; throttled: number }>;
  consumers: ConsumerLag[] | null;
  /** Seconds between now and the newest event time the aggregator has seen; null before any. */
  eventTimeLagSeconds: number | null;
  fraudToday: { clicks: number; fraud: number; rate: number };
  accuracy: Array<{ day: string; liveClicks: number; billedClicks: number; discrepancy: number }>;
  batchRuns: Array<{
    id: number;
    day: string;
    status: string;
    startedAt: string;
    durationMs: number | null;
    eventsIn: number | null;
    error: string | null;
  }>;
  services: ServiceHealth[];
}

export interface SystemSources {
  db: Database;
  live: LiveSource;
  kafka: Kafka;
  ingestUrl: string;
}

const INGEST_MINUTES = 30;
const ACCURACY_DAYS = 14;

async function timed<T>(
  name: string,
  read: () => Promise<T>,
  services: ServiceHealth[],
  ok: (value: T) => string,
): Promise<T | null> {
  const started = Date.now();
  try {
    const value = await read();
    services.push({ name, ok: true, detail: `${ok(value)} (${Date.now() - started} ms)` });
    return value;
  } catch (error) {
    services.push({
      name,
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}

async function ingestReady(url: string): Promise<string> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`readyz answered ${res.status}`);
  return "ready";
}

export async function systemOverview(
  src: SystemSources,
  staff: StaffScope,
  nowMs: number,
): Promise<SystemOverview> {
  const services: ServiceHealth[] = [];
  const fromDay = isoDay(nowMs - ACCURACY_DAYS * 86_400_000);
  const pg = await timed(
    "Postgres",
    () =>
      withStaffScope(src.db, staff, async (tx) => {
        await tx.execute(sql`select 1`);
        return {
          partners: await listPartners(tx),
          campaignIds: await listCampaignIds(tx),
          checks: await latestReconciliationSince(tx, fromDay),
          runs: await listBatchRuns(tx, 10),
        };
      }),
    services,
    () => "answering",
  );
  const redisUp = await timed(
    "Redis",
    () => src.live.redis.ping(),
    services,
    (v) => v,
  );
  const [traffic, watermarks, totals, consumers] = await Promise.all([
    redisUp && pg
      ? readPartnerTraffic(
          src.live.redis,
          pg.partners.map((p) => p.id),
          INGEST_MINUTES,
          nowMs,
        ).catch(() => [])
      : [],
    redisUp
      ? readWatermarks(src.live.redis, src.live.topicPrefix).catch(() => new Map<number, number>())
      : new Map<number, number>(),
    redisUp && pg
      ? readDayTotals(src.live.redis, pg.campaignIds, nowMs).catch(() => new Map())
      : new Map(),
    timed(
      "Kafka",
      () => readConsumerLag(src.kafka, src.live.topicPrefix),
      services,
      (groups) => `${groups.length} consumer groups`,
    ),
  ]);
  await timed(
    "Ingest",
    () => ingestReady(src.ingestUrl),
    services,
    (v) => v,
  );
  for (const c of consumers ?? [])
    services.push({
      name: c.role,
      ok: c.members > 0,
      detail: c.members > 0 ? `${c.members} consumer(s), ${c.state}` : "no consumer running",
    });

  const ingest = (traffic[0]?.minutes ?? []).map((m, i) => {
    const at = traffic.map((t) => t.minutes[i]!);
    return {
      minuteStartMs: m.minuteStartMs,
      accepted: at.reduce((s, x) => s + x.accepted + x.duplicate, 0),
      rejected: at.reduce((s, x) => s + x.rejected, 0),
      throttled: at.reduce((s, x) => s + x.throttled, 0),
    };
  });
  const newest = Math.max(...watermarks.values(), 0);
  let clicks = 0;
  let fraud = 0;
  for (const c of totals.values()) {
    clicks += c.clicks;
    fraud += c.fraud;
  }
  const byDay = new Map<string, { liveClicks: number; billedClicks: number }>();
  for (const c of pg?.checks ?? []) {
    const d = byDay.get(c.day) ?? { liveClicks: 0, billedClicks: 0 };
    d.liveClicks += c.liveClicks;
    d.billedClicks += c.billedClicks;
    byDay.set(c.day, d);
  }
  return {
    readAtMs: nowMs,
    ingest,
    consumers,
    eventTimeLagSeconds: newest > 0 ? Math.max(0, (nowMs - newest) / 1000) : null,
    fraudToday: { clicks, fraud, rate: fraudRate({ clicks, fraud }) },
    accuracy: [...byDay.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, d]) => ({
        day,
        ...d,
        discrepancy: Math.abs(d.liveClicks - d.billedClicks) / Math.max(d.billedClicks, 1),
      })),
    batchRuns: (pg?.runs ?? []).map((r) => ({
      id: r.id,
      day: r.day,
      status: r.status,
      startedAt: r.startedAt.toISOString(),
      durationMs: r.durationMs,
      eventsIn: r.eventsIn,
      error: r.error,
    })),
    services,
  };
}
