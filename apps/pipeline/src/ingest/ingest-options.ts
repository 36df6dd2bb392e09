import { DEFAULT_DRAIN_LIMITS } from "./early-refusal";
import { SEND_DEADLINE_MS } from "./redis-guards";

export interface IngestOptions {
  port: number;
  host: string;
  maxBodyBytes: number;
  maxEventsPerRequest: number;
  /** Producer linger (C2 issue: at most 10 ms). */
  lingerMs: number;
  maxBatchBytes: number;
  /** Above this many unacknowledged bytes, requests get 503 instead of queueing. */
  maxInFlightBytes: number;
  /** A request waits this long for Kafka's acknowledgement, then answers 503 (see SEND_DEADLINE_MS). */
  sendDeadlineMs: number;
  /** Requests of one partner this replica works on at once; more get 429. */
  maxConcurrentPerPartner: number;
  keyCacheTtlMs: number;
  campaignCacheTtlMs: number;
  trustedProxies: string[];
  compression: "lz4" | "gzip" | "none";
  /** Serve /metrics on the public port too (off: it belongs on the ops port). */
  publicMetrics: boolean;
  /** After an early refusal, at most this many body bytes are read and dropped before closing. */
  maxDrainBytes: number;
  maxDrainMs: number;
  /** On stop, the listener stays open this long, answering 503, before it closes. */
  shutdownGraceMs: number;
  /** One "ingest traffic" log line per this interval (requests themselves log at debug). */
  summaryIntervalMs: number;
}

export const DEFAULT_INGEST_OPTIONS: Omit<IngestOptions, "port"> = {
  host: "0.0.0.0",
  maxBodyBytes: 1024 * 1024,
  maxEventsPerRequest: 1000,
  lingerMs: 5,
  maxBatchBytes: 1024 * 1024,
  maxInFlightBytes: 64 * 1024 * 1024,
  sendDeadlineMs: SEND_DEADLINE_MS,
  maxConcurrentPerPartner: 64,
  keyCacheTtlMs: 5_000,
  campaignCacheTtlMs: 10_000,
  trustedProxies: [],
  compression: "lz4",
  publicMetrics: false,
  shutdownGraceMs: 1_000,
  summaryIntervalMs: 10_000,
  ...DEFAULT_DRAIN_LIMITS,
};
