import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface IngestMetrics {
  requests: Counter<"route" | "status">;
  events: Counter<"partner" | "outcome">;
  requestSeconds: Histogram<"route">;
  produceSeconds: Histogram;
  inFlightBytes: Gauge;
  redirectsUnrecorded: Counter;
  backpressure: Counter<"route">;
}

export function createIngestMetrics(
  registry: Registry,
  inFlightBytes: () => number,
): IngestMetrics {
  return {
    requests: new Counter({
      name: "adclick_ingest_requests_total",
      help: "Ingest HTTP requests by route and status code",
      labelNames: ["route", "status"],
      registers: [registry],
    }),
    events: new Counter({
      name: "adclick_ingest_events_total",
      help: "Click events by partner and outcome (accepted, duplicate, rejected)",
      labelNames: ["partner", "outcome"],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: "adclick_ingest_request_duration_seconds",
      help: "Time from request start to response",
      labelNames: ["route"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: "adclick_ingest_produce_duration_seconds",
      help: "Duration of one Kafka produce request (acks=all)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    inFlightBytes: new Gauge({
      name: "adclick_ingest_producer_inflight_bytes",
      help: "Bytes accepted for Kafka and not yet acknowledged",
      registers: [registry],
      collect() {
        this.set(inFlightBytes());
      },
    }),
    redirectsUnrecorded: new Counter({
      name: "adclick_ingest_redirects_unrecorded_total",
      help: "Click redirects answered without the click reaching Kafka (backpressure or produce failure)",
      registers: [registry],
    }),
    backpressure: new Counter({
      name: "adclick_ingest_backpressure_total",
      help: "Requests refused with 503 and Retry-After: the producer's in-flight budget is full, or Kafka did not acknowledge in time",
      labelNames: ["route"],
      registers: [registry],
    }),
  };
}
