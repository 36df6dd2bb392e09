/**
 * The bench's click generator, and its sustained-rate feeder run as a separate
 * process (as the ingest is in production), so producing does not steal CPU
 * from the aggregator being measured:
 * `node --import tsx aggregate-feeder.ts '<json FeederArgs>'`.
 */
import { pathToFileURL } from "node:url";
import type { ClickRecord } from "@adclick/shared";
import type { Producer } from "kafkajs";
import { readConfig } from "../config";
import { createKafka } from "../kafka/client";

export interface FeederArgs {
  id: string;
  topic: string;
  campaigns: number;
  from: number;
  rate: number;
  seconds: number;
}

export function benchClick(id: string, campaigns: number, i: number, now: number): ClickRecord {
  return {
    event_id: `b${id}-${i}`,
    partner_id: `p${i % 3}`,
    campaign_id: `bench-${id}-c${i % campaigns}`,
    advertiser_id: "bench",
    ad_id: "bench-ad",
    user_id: `u${(i * 7919) % 50_000}`,
    ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
    user_agent:
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    ts: now - (i % 600) * 1000,
    received_at: now,
    country: ["US", "DE", "FR"][i % 3]!,
    device: "mobile",
    publisher_id: null,
    referrer: null,
    cost_micros: 100_000,
  };
}

export async function sendClicks(
  producer: Producer,
  a: { id: string; topic: string; campaigns: number },
  from: number,
  n: number,
): Promise<void> {
  const now = Date.now();
  const messages = [];
  for (let i = from; i < from + n; i++) {
    const c = benchClick(a.id, a.campaigns, i, now);
    messages.push({ key: c.campaign_id, value: JSON.stringify(c) });
  }
  await producer.send({ topic: a.topic, acks: -1, messages });
}

/** Sends `rate` clicks/s for `seconds` in 100 ms ticks; prints the next index. */
async function feed(a: FeederArgs): Promise<void> {
  const config = readConfig();
  const producer = createKafka(config, "adclick-bench-feeder").producer({
    idempotent: true,
    maxInFlightRequests: 5,
  });
  await producer.connect();
  const tickMs = 100;
  const perTick = Math.ceil((a.rate * tickMs) / 1000);
  let next = a.from;
  const end = Date.now() + a.seconds * 1000;
  while (Date.now() < end) {
    const t0 = Date.now();
    await sendClicks(producer, a, next, perTick);
    next += perTick;
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - t0))));
  }
  await producer.disconnect();
  process.stdout.write(`${next}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await feed(JSON.parse(process.argv[2] ?? "{}") as FeederArgs);
}
