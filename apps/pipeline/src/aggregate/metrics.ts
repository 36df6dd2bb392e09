import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type AggregatorMetrics = ReturnType<typeof createAggregatorMetrics>;

export function createAggregatorMetrics(registry: Registry) {
  const registers = [registry];
  return {
    events: new Counter({
      name: "adclick_aggregator_events_total",
      help: "Clicks scored by the aggregator, by verdict (clean, suspicious, fraud); rate() gives events/s and the fraud and suspicious rates.",
      labelNames: ["verdict"] as const,
      registers,
    }),
    modelVersion: new Gauge({
      name: "adclick_aggregator_fraud_model_version",
      help: "Version of the fraud model the aggregator scores with (0: none active, the rules alone).",
      registers,
    }),
    invalid: new Counter({
      name: "adclick_aggregator_invalid_messages_total",
      help: "Messages on clicks.raw that are not a ClickRecord (skipped, logged).",
      registers,
    }),
    duplicates: new Counter({
      name: "adclick_aggregator_duplicates_total",
      help: "Redeliveries of an idempotency pair (partner_id, event_id) already counted: neither a click nor fraud, counted only here.",
      registers,
    }),
    reprocessed: new Counter({
      name: "adclick_aggregator_reprocessed_events_total",
      help: "Redelivered clicks already applied to Redis (recognised by the stored offset and skipped).",
      registers,
    }),
    late: new Counter({
      name: "adclick_aggregator_late_events_total",
      help: "Clicks behind the partition watermark: counted (their window key still lives), window_expired (only the day total counted), expired (left to the batch).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    staleWrites: new Counter({
      name: "adclick_aggregator_stale_writes_total",
      help: "Flushes rejected because a newer owner of the partition (higher epoch) had written: the fence at work.",
      registers,
    }),
    rebuilds: new Counter({
      name: "adclick_aggregator_rebuilds_total",
      help: "Partition rebuilds from Kafka: Redis lost the partition's counters, or came back holding them only up to an older offset.",
      registers,
    }),
    flushSeconds: new Histogram({
      name: "adclick_aggregator_flush_seconds",
      help: "Time to apply one batch to Redis (atomic per campaign) and produce its flagged and fraud clicks.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    batchSeconds: new Histogram({
      name: "adclick_aggregator_batch_seconds",
      help: "Time to process one fetched batch end to end (decode, features, score, flush, commit).",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    lag: new Gauge({
      name: "adclick_aggregator_consumer_lag",
      help: "Messages behind the partition's high watermark after the last processed batch.",
      labelNames: ["topic", "partition"] as const,
      registers,
    }),
    lagSeconds: new Gauge({
      name: "adclick_aggregator_consumer_lag_seconds",
      help: "How long the oldest unprocessed message of the partition has waited: now minus the Kafka timestamp of the last processed message while messages remain behind it, 0 when caught up.",
      labelNames: ["topic", "partition"] as const,
      registers,
    }),
    eventTimeLag: new Gauge({
      name: "adclick_aggregator_event_time_lag_seconds",
      help: "Now minus the lowest watermark (max event time seen) of the partitions this process owns.",
      registers,
    }),
    clickToCounter: new Histogram({
      name: "adclick_aggregator_click_to_counter_seconds",
      help: "From the ingest receiving a click (received_at) to its counters being in Redis.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
