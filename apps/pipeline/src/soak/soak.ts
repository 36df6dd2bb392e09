/**
 * `adclick soak` (`npm run soak`): a steady open-model rate through the whole
 * pipeline, the ingest, aggregator and archiver each in a process of its own,
 * for `minutes`; then the drain, and the live counters against the exact count
 * of what the ingest acknowledged. Everything lives under a throwaway topic
 * prefix, database, lake folder and campaign ids, removed at the end.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { createTestDatabase } from "@adclick/db/testing";
import {
  type Config,
  groupName,
  topicName,
  windowCounterKey,
  windowStartMs,
} from "@adclick/shared";
import { Redis } from "ioredis";
import type { Admin } from "kafkajs";
import type { Figure } from "../bench/figures";
import { latencySummary } from "../bench/percentile";
import { loadAverage, machine, shortCommit, writeResult } from "../bench/run-info";
import { renderNotes, renderTable } from "../bench/table";
import { judge, type Target } from "../bench/targets";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";
import { eventIdentity } from "../simulate/exactly-once";
import { generateTraffic, type SimEvent } from "../simulate/generate-traffic";
import { bump, compareCounters } from "./compare";
import { consumerLag } from "./lag";
import { sendOpenLoad } from "./open-load";
import { freePort, type RoleProcess, startRole } from "./roles";

export interface SoakOptions {
  minutes: number;
  /** Events per second, the simulator's retries included. */
  rate: number;
  batch: number;
  campaigns: number;
  seed: number;
}

const SOAK_TARGETS: Target[] = [
  { id: "soak.lost", label: "lost clicks", bound: { of: "value", op: "<=", value: 0 } },
  {
    id: "soak.duplicated",
    label: "duplicated clicks",
    bound: { of: "value", op: "<=", value: 0 },
  },
  { id: "soak.sustained", label: "sustained (acknowledged) rate" },
  { id: "soak.ack_p50_ms", label: "ack latency p50" },
  { id: "soak.ack_p99_ms", label: "ack latency p99" },
  { id: "soak.ack_p999_ms", label: "ack latency p99.9" },
  { id: "soak.error_rate", label: "requests without a 202" },
  { id: "soak.max_lag", label: "largest aggregator consumer lag" },
  { id: "soak.drain_s", label: "drain after the load stops" },
  ...(["ingest", "aggregate", "archive"] as const).map((role) => ({
    id: `soak.rss_growth.${role}`,
    label: `${role} RSS growth, start → end`,
  })),
];

const MiB = 1024 * 1024;

export async function runSoak(
  base: Config,
  o: SoakOptions,
  print: (line: string) => void,
): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  const id = randomBytes(4).toString("hex");
  const prefix = `soak-${id}.`;
  const scratch = await mkdtemp(join(tmpdir(), "adclick-soak-"));
  const database = await createTestDatabase(base.DATABASE_URL);
  const config: Config = { ...base, KAFKA_TOPIC_PREFIX: prefix, DATABASE_URL: database.url };
  const kafka = createKafka(config, "adclick-soak");
  const admin = kafka.admin();
  await admin.connect();
  const redis = new Redis(config.REDIS_URL);
  const roles: RoleProcess[] = [];
  const campaigns = Array.from({ length: o.campaigns }, (_, i) => ({
    id: `soak-${id}-c${i}`,
    cpcMicros: 100_000 + (i % 5) * 50_000,
  }));
  const partnerIds = Array.from({ length: 4 }, (_, i) => `soak-${id}-p${i}`);
  try {
    // 1. Data the ingest and aggregator need, in the soak's own database.
    const conn = connectDb(database.url, { max: 2 });
    await createAdvertiser(conn.db, { id: `soak-${id}`, name: "Soak" });
    for (const c of campaigns)
      await createCampaign(conn.db, {
        id: c.id,
        advertiserId: `soak-${id}`,
        name: c.id,
        cpcMicros: c.cpcMicros,
        landingUrl: "https://example.com/",
      });
    const apiKeys = new Map<string, string>();
    for (const partnerId of partnerIds) {
      const { apiKey } = await createPartner(conn.db, {
        id: partnerId,
        name: partnerId,
        rateLimitPerSec: 100_000_000,
      });
      apiKeys.set(partnerId, apiKey);
    }
    await conn.close();
    await ensureTopics(admin, config, ["raw", "flagged", "fraud", "rejected"]);

    // 2. The roles, each in its own process.
    const ingestPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: database.url,
      LAKE_URL: `file://${join(scratch, "lake")}`,
      INGEST_PORT: String(ingestPort),
      LOG_LEVEL: "warn",
    };
    for (const role of ["aggregate", "archive", "ingest"] as const)
      roles.push(await startRole(role, env, scratch));
    print(
      `soak ${id}: ${o.rate} events/s for ${o.minutes} min, batches of ${o.batch}, ${o.campaigns} campaigns, roles ${roles.map((r) => `${r.name} (pid ${r.pid})`).join(", ")}; logs in ${scratch}`,
    );
    const rssStart = await Promise.all(roles.map((r) => r.rssBytes()));

    // 3. The load, with the aggregator's lag polled every second.
    const raw = topicName(prefix, "raw");
    const group = groupName(prefix, "aggregator");
    let maxLag = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        maxLag = Math.max(maxLag, await consumerLag(admin, group, raw).catch(() => 0));
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const acknowledged = new Set<string>();
    const unanswered = new Map<string, SimEvent>();
    const cellOf = (e: SimEvent) => `${e.body.campaign_id} ${windowStartMs(e.body.ts)}`;
    const expected = new Map<string, number>();
    const events = generateTraffic(o.seed, {
      startMs: Date.now() + 500,
      durationSec: o.minutes * 60,
      ratePerSec: o.rate,
      campaigns,
      partnerIds,
      // Only traffic every rule counts: a lost click then cannot hide as a dropped one.
      mix: { crawler: 0, floodPerMinute: 0, dataCentre: 0, blocklisted: 0 },
    });
    const stats = await sendOpenLoad(events, {
      url: `http://127.0.0.1:${ingestPort}`,
      apiKeys,
      batchSize: o.batch,
      timeoutMs: 10_000,
      maxOutstanding: 2048,
      onAcknowledged: (e) => {
        const key = eventIdentity(e.partnerId, e.body.event_id);
        unanswered.delete(key);
        if (acknowledged.has(key)) return;
        acknowledged.add(key);
        bump(expected, cellOf(e));
      },
      onUnacknowledged: (e) => {
        const key = eventIdentity(e.partnerId, e.body.event_id);
        if (!acknowledged.has(key)) unanswered.set(key, e);
      },
    });
    const loadSeconds = (stats.lastSendMs - stats.firstSendMs) / 1000;

    // 4. The drain, from the last request sent: until the aggregator has committed everything written.
    const drainStarted = stats.lastSendMs;
    let lag = await consumerLag(admin, group, raw);
    while (lag > 0 && Date.now() - drainStarted < 300_000) {
      await new Promise((r) => setTimeout(r, 200));
      lag = await consumerLag(admin, group, raw);
    }
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    polling = false;
    await poller;
    const rssEnd = await Promise.all(roles.map((r) => r.rssBytes()));

    // 5. The live counters (clicks + dropped fraud) against the acknowledged clicks.
    const unacked = new Map<string, number>();
    for (const e of unanswered.values()) bump(unacked, cellOf(e));
    const counted = await readCounters(redis, new Set([...expected.keys(), ...unacked.keys()]));
    const verdict = compareCounters(expected, unacked, counted);

    const latency = latencySummary(stats.latenciesMs);
    const figures: Figure[] = [
      { id: "soak.lost", value: verdict.lost, unit: "clicks" },
      { id: "soak.duplicated", value: verdict.duplicated, unit: "clicks" },
      { id: "soak.sustained", value: stats.acknowledged / loadSeconds, unit: "events/s" },
      { id: "soak.ack_p50_ms", value: latency.p50, unit: "ms" },
      { id: "soak.ack_p99_ms", value: latency.p99, unit: "ms" },
      { id: "soak.ack_p999_ms", value: latency.p999, unit: "ms" },
      { id: "soak.error_rate", value: stats.failedRequests / stats.requests, unit: "of requests" },
      { id: "soak.max_lag", value: maxLag, unit: "messages" },
      { id: "soak.drain_s", value: drainSeconds, unit: "s" },
      ...roles.map((r, i) => ({
        id: `soak.rss_growth.${r.name}`,
        value: (rssEnd[i]! - rssStart[i]!) / MiB,
        unit: "MiB",
        note: `${Math.round(rssStart[i]! / MiB)} → ${Math.round(rssEnd[i]! / MiB)} MiB`,
      })),
    ];
    const rows = judge(figures, SOAK_TARGETS);
    const loadAfter = loadAverage();
    const { node, cores } = machine();
    const commit = shortCommit();
    const details = {
      options: o,
      requests: stats.requests,
      statuses: stats.statuses,
      eventsSent: stats.events,
      acknowledged: stats.acknowledged,
      distinctAcknowledged: acknowledged.size,
      rejected: stats.rejected,
      loadSeconds,
      latencyMs: latency,
      counters: verdict,
      drainedToZeroLag: lag === 0,
      memoryMiB: Object.fromEntries(
        roles.map((r, i) => [r.name, { start: rssStart[i]! / MiB, end: rssEnd[i]! / MiB }]),
      ),
    };
    const path = writeResult(
      {
        kind: "soak",
        startedAt,
        finishedAt: new Date().toISOString(),
        commit,
        command: `npm run soak -- --minutes ${o.minutes} --rate ${o.rate} --batch ${o.batch}`,
        quick: false,
        node,
        cores,
        loadAverage: { before: loadBefore, after: loadAfter },
        rows,
        figures,
        details,
      },
      "soak",
    );
    print(
      `\nadclick soak — commit ${commit}, ${cores} cores, node ${node}, load average ${loadBefore.join(" ")} → ${loadAfter.join(" ")}`,
    );
    print(
      `${stats.requests} requests (${JSON.stringify(stats.statuses)}), ${stats.events} events sent over ${loadSeconds.toFixed(1)} s, ${acknowledged.size} distinct acknowledged; counters: ${verdict.counted} of ${verdict.expected} in ${verdict.cells} cells (${verdict.countedUnacknowledged} counted though unanswered)${lag === 0 ? "" : `; NOT drained: lag ${lag}`}`,
    );
    for (const m of verdict.mismatches)
      print(`  cell ${m.cell}: expected ${m.expected}, counted ${m.counted}`);
    print(renderTable(rows));
    for (const line of renderNotes(rows)) print(line);
    print(`\nwritten to ${path}`);
    return verdict.lost === 0 && verdict.duplicated === 0 && lag === 0;
  } finally {
    for (const r of roles.reverse()) await r.stop().catch(() => null);
    await cleanup(admin, redis, prefix, id).catch(() => undefined);
    await admin.disconnect();
    await redis.quit();
    await database.drop();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** clicks + fraud of each "<campaign> <windowStartMs>" cell's `all` counter. */
async function readCounters(redis: Redis, cells: Set<string>): Promise<Map<string, number>> {
  const list = [...cells];
  const out = new Map<string, number>();
  for (let i = 0; i < list.length; i += 500) {
    const pipe = redis.pipeline();
    const chunk = list.slice(i, i + 500);
    for (const cell of chunk) {
      const [campaign = "", start = "0"] = cell.split(" ");
      pipe.hmget(windowCounterKey(campaign, Number(start), "all"), "clicks", "fraud");
    }
    const replies = (await pipe.exec()) ?? [];
    chunk.forEach((cell, j) => {
      const [, values] = replies[j] ?? [];
      const [clicks, fraud] = (values as Array<string | null>) ?? [];
      out.set(cell, Number(clicks ?? 0) + Number(fraud ?? 0));
    });
  }
  return out;
}

async function cleanup(admin: Admin, redis: Redis, prefix: string, id: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length) await admin.deleteTopics({ topics }).catch(() => undefined);
  const groups = (await admin.listGroups()).groups
    .map((g) => g.groupId)
    .filter((g) => g.startsWith(prefix));
  if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  for (const match of [`*soak-${id}-*`, `*${prefix}*`]) {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  }
}
