/**
 * Labelled examples for training and evaluation: a simulated day's clicks
 * with their true labels, turned into feature vectors the way the nightly
 * batch sees them (the day in event-time order through one BehaviourTracker).
 */
import {
  BehaviourTracker,
  type ClickRecord,
  DEFAULT_DATA_CENTRES,
  type FeatureContext,
  featureVector,
} from "@adclick/shared";
import { toClickRecord } from "../simulate/click-records";
import {
  type ActorMix,
  generateLabelledTraffic,
  isFraudPattern,
  LABELLED_FRAUD_ACTORS,
} from "../simulate/fraud-actors";
import type { Pattern, SimCampaign } from "../simulate/generate-traffic";

export interface Example {
  click: ClickRecord;
  /** 1 invalid traffic, 0 valid. */
  label: 0 | 1;
  /** Where the label came from: the simulator's pattern, or `analyst`. */
  source: Pattern | "analyst";
}

export interface LabelledDayOptions {
  /** Start of the day (UTC midnight), epoch ms. */
  dayStartMs: number;
  durationSec?: number;
  ratePerSec?: number;
  campaigns?: readonly SimCampaign[];
  actors?: ActorMix;
}

const DEFAULT_CAMPAIGNS: SimCampaign[] = Array.from({ length: 20 }, (_, i) => ({
  id: `sim-c${i}`,
  cpcMicros: 100_000 + i * 10_000,
}));

/** One simulated day of labelled clicks, distinct by idempotency pair, in event-time order. */
export function labelledDay(seed: number, o: LabelledDayOptions): Example[] {
  const campaigns = o.campaigns ?? DEFAULT_CAMPAIGNS;
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const traffic = {
    startMs: o.dayStartMs,
    durationSec: o.durationSec ?? 86_400,
    ratePerSec: o.ratePerSec ?? 1,
    campaigns,
    partnerIds: ["sim-p1", "sim-p2", "sim-p3"],
    users: 3000,
    // The flooding IP of the ordinary feed is replaced by the click farms here.
    mix: { floodPerMinute: 0 },
  };
  const seen = new Set<string>();
  const out: Example[] = [];
  for (const e of generateLabelledTraffic(seed, traffic, o.actors ?? LABELLED_FRAUD_ACTORS)) {
    const key = `${e.partnerId}\u0000${e.body.event_id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const pattern = e.pattern === "retry-duplicate" ? (e.resends ?? "normal") : e.pattern;
    out.push({
      click: toClickRecord(e, byId, e.sendAtMs),
      label: isFraudPattern(pattern) ? 1 : 0,
      source: pattern,
    });
  }
  return sortByEventTime(out);
}

/** The batch's order: event time, then the idempotency pair. */
export function sortByEventTime<T extends { click: ClickRecord }>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      a.click.ts - b.click.ts ||
      (a.click.partner_id < b.click.partner_id
        ? -1
        : a.click.partner_id > b.click.partner_id
          ? 1
          : 0) ||
      (a.click.event_id < b.click.event_id ? -1 : a.click.event_id > b.click.event_id ? 1 : 0),
  );
}

/** Feature vectors of clicks in the given order, each from the behaviour before it. */
export function featureRows(
  clicks: readonly ClickRecord[],
  ctx: FeatureContext = { dataCentres: DEFAULT_DATA_CENTRES },
): { vectors: number[][]; behaviour: ReturnType<BehaviourTracker["observe"]>[] } {
  const tracker = new BehaviourTracker();
  const vectors: number[][] = [];
  const behaviour = [];
  for (const c of clicks) {
    const b = tracker.observe(c);
    behaviour.push(b);
    vectors.push(featureVector(c, b, ctx));
  }
  return { vectors, behaviour };
}
