/** Helpers for the ingest's integration tests (not used in production code). */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import type { Config } from "@adclick/shared";
import { Kafka, type KafkaMessage, logLevel } from "kafkajs";
import type { Registry } from "prom-client";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import {
  createIngestComponent,
  type IngestComponent,
  type IngestDeps,
  type IngestOptions,
} from "./ingest-server";

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Every record in `topic` up to its current end, read with a throwaway consumer group. */
export async function readTopic(brokers: string[], topic: string): Promise<TopicRecord[]> {
  registerLz4Codec();
  const kafka = new Kafka({ brokers, clientId: "adclick-test-reader", logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) ends.set(o.partition, BigInt(o.high));
  } finally {
    await admin.disconnect();
  }
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const out: TopicRecord[] = [];
  if (total === 0n) return out;
  const consumer = kafka.consumer({
    groupId: `${topic}-reader-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out reading ${topic}: ${out.length} of ${total}`)),
      30_000,
    );
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition) ?? 0n;
          if (BigInt(message.offset) < end) out.push(toRecord(partition, message));
          if (BigInt(out.length) >= total) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return out;
}

function toRecord(partition: number, m: KafkaMessage): TopicRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = String(v);
  return {
    partition,
    offset: m.offset,
    key: m.key?.toString() ?? "",
    value: m.value?.toString() ?? "",
    headers,
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

let counter = 0;
/** A valid click for `campaignId` with a fresh event id. */
export function click(
  campaignId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  counter++;
  return {
    event_id: `ev-${process.pid}-${Date.now().toString(36)}-${counter}`,
    campaign_id: campaignId,
    ad_id: "ad-1",
    user_id: `user-${counter % 50}`,
    ip: "8.8.8.8",
    user_agent:
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ts: new Date().toISOString(),
    ...overrides,
  };
}

/** The pid of the process listening on TCP `port` of this machine (from Linux's /proc), or null. */
export function pidListeningOn(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readOrEmpty(table).split("\n").slice(1)) {
      // sl local_address rem_address st … inode; state 0A is LISTEN.
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && f[1]?.endsWith(`:${hexPort}`) && f[9]) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return null;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    for (const fd of listOrEmpty(`/proc/${pid}/fd`)) {
      const inode = /^socket:\[(\d+)\]$/.exec(linkOrEmpty(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode && inodes.has(inode)) return Number(pid);
    }
  }
  return null;
}

// Processes come and go while /proc is walked: a vanished entry is skipped.
const readOrEmpty = (path: string) => attempt(() => readFileSync(path, "utf8"), "");
const listOrEmpty = (path: string) => attempt(() => readdirSync(path), [] as string[]);
const linkOrEmpty = (path: string) => attempt(() => readlinkSync(path), "");

function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** An ingest component on an ephemeral port of 127.0.0.1, started, with its own registry and ops state. */
export async function startTestIngest(
  config: Config,
  options: Partial<IngestOptions> = {},
  extra: Pick<IngestDeps, "produceTransport"> = {},
): Promise<{ ingest: IngestComponent; url: string; registry: Registry }> {
  const registry = createRegistry();
  const ops: OpsState = { components: [], registry, shuttingDown: false };
  const ingest = createIngestComponent(config, {
    logger: createLogger("silent"),
    registry,
    ops,
    options: {
      port: 0,
      host: "127.0.0.1",
      keyCacheTtlMs: 300,
      campaignCacheTtlMs: 300,
      ...options,
    },
    ...extra,
  });
  ops.components = [ingest];
  await ingest.start();
  return { ingest, url: `http://127.0.0.1:${ingest.port()}`, registry };
}

/** One advertiser, active campaigns `ids` and a partner at `rateLimitPerSec`; returns the partner's key. */
export async function seedPartnerAndCampaigns(
  databaseUrl: string,
  ids: readonly string[],
  partner: { id?: string; name: string; rateLimitPerSec: number },
): Promise<string> {
  const conn = connectDb(databaseUrl, { max: 1 });
  try {
    await createAdvertiser(conn.db, { id: `adv-${partner.name}`, name: partner.name }).catch(
      () => undefined,
    );
    for (const id of ids)
      await createCampaign(conn.db, {
        id,
        advertiserId: `adv-${partner.name}`,
        name: id,
        cpcMicros: 1000,
        landingUrl: "https://example.com/",
      });
    return (await createPartner(conn.db, partner)).apiKey;
  } finally {
    await conn.close();
  }
}

export interface ClicksResponse {
  status: number;
  retryAfter: string | null;
  connection: string | null;
  body: {
    receipt?: string;
    accepted?: number;
    duplicates?: number;
    rejected?: Array<{ index: number; error: string }>;
    error?: string;
  };
}

/** POSTs `body` (JSON-encoded unless a string or bytes) to /v1/clicks with the partner's key. */
export async function postClicks(
  url: string,
  apiKey: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ClicksResponse> {
  const payload =
    typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  const res = await fetch(`${url}/v1/clicks`, {
    method: "POST",
    body: payload,
    headers: {
      authorization: `Bearer ${apiKey}`,
      "content-type": "application/json",
      ...headers,
    },
  });
  const text = await res.text();
  let parsed: ClicksResponse["body"];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { error: text };
  }
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    connection: res.headers.get("connection"),
    body: parsed,
  };
}
