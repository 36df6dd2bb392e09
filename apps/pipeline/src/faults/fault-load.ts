/**
 * The simulator stream of a fault test: seeded traffic at a fixed arrival rate
 * (open model: events are due at their time whether or not earlier requests
 * answered), posted through the ingest's HTTP endpoint, with every event the
 * ingest acknowledged (202) recorded for the ground truth.
 */
import { generateTraffic, type SimEvent } from "../simulate/generate-traffic";
import { GroundTruth } from "../simulate/ground-truth";
import { type SendStats, sendTraffic } from "../simulate/http-sender";
import { FAULT_CAMPAIGNS, type FaultPipeline } from "./fault-pipeline";

export interface LoadOptions {
  seed: number;
  ratePerSec: number;
  durationSec: number;
}

export interface RunningLoad {
  /** Every acknowledged event, retries included, in the order the ingest answered. */
  acknowledged: SimEvent[];
  /** Resolves when every due event was sent and answered (or gave up). */
  done: Promise<SendStats>;
  /** How many events were acknowledged so far. */
  progress(): number;
}

/**
 * The traffic mix of the fault suite: retries, late and out-of-order clicks and
 * declared crawlers (C8 fraud), but no flooding IP, whose per-minute verdicts
 * the stream and the batch draw differently at the 100th click.
 */
export const FAULT_MIX = {
  retry: 0.03,
  late: 0.02,
  outOfOrder: 0.03,
  crawler: 0.02,
  // Data-centre addresses are suspicious (counted, queued for review), so the
  // review sink has work under every fault.
  dataCentre: 0.02,
  floodPerMinute: 0,
};

export function startLoad(pipeline: FaultPipeline, options: LoadOptions): RunningLoad {
  const acknowledged: SimEvent[] = [];
  const traffic = generateTraffic(options.seed, {
    startMs: Date.now(),
    durationSec: options.durationSec,
    ratePerSec: options.ratePerSec,
    campaigns: FAULT_CAMPAIGNS,
    partnerIds: [...pipeline.apiKeys.keys()],
    users: 3000,
    mix: FAULT_MIX,
  });
  const done = sendTraffic(traffic, {
    url: pipeline.ingestUrl,
    apiKeys: pipeline.apiKeys,
    batchSize: 25,
    // Wide enough that a request stuck behind a fault never holds back later arrivals.
    concurrency: 64,
    lingerMs: 50,
    // A fault may keep a request failing for a while (a restart, a pending claim): keep retrying.
    maxAttempts: 400,
    onAcknowledged: (e) => acknowledged.push(e),
  });
  return { acknowledged, done, progress: () => acknowledged.length };
}

/** The ground truth of what the ingest acknowledged. */
export function truthOf(
  acknowledged: readonly SimEvent[],
  only?: (e: SimEvent) => boolean,
): GroundTruth {
  const truth = new GroundTruth(0, new Map(FAULT_CAMPAIGNS.map((c) => [c.id, c.cpcMicros])));
  for (const e of acknowledged) if (!only || only(e)) truth.add(e);
  return truth;
}
