/**
 * The whole pipeline as child processes for the fault suite: `adclick ingest`,
 * `aggregate` (one or more), `archive` and `review-sink` on one test stack
 * (own database, Redis index, topic prefix and lake prefix on the S3 server),
 * with a seeded advertiser, campaigns and partners. Faults are injected from
 * outside: signals to the processes, or the servers the test owns.
 */
import { randomBytes } from "node:crypto";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { freePort, RoleProcess } from "../../../../test/processes";
import { startRoundRobinProxy } from "../../../../test/round-robin-proxy";
import { createTestStack, type TestStack, type TestStackOptions } from "../../../../test/stack";
import type { SimCampaign } from "../simulate/generate-traffic";
import { clearLake } from "./observe";

export interface FaultPipelineOptions {
  /** Extra environment for every role (e.g. KAFKA_BROKERS of the test's own broker). */
  env?: Record<string, string>;
  /** Passed to createTestStack (e.g. database: false with a DATABASE_URL of the test's own). */
  stack?: TestStackOptions;
  /** Ingest replicas (default 1); several sit behind a round-robin proxy at `ingestUrl`. */
  ingests?: number;
  /** Archiver replicas (default 1). */
  archivers?: number;
  /** Aggregator replicas (default 1). */
  aggregators?: number;
  /** Kafka session timeout of the aggregators, ms (short, so a paused one is evicted soon). */
  sessionTimeoutMs?: number;
}

export const FAULT_CAMPAIGNS: readonly SimCampaign[] = [
  { id: "flt-c0", cpcMicros: 150_000 },
  { id: "flt-c1", cpcMicros: 220_000 },
  { id: "flt-c2", cpcMicros: 90_000 },
  { id: "flt-c3", cpcMicros: 310_000 },
  { id: "flt-c4", cpcMicros: 45_000 },
  { id: "flt-c5", cpcMicros: 500_000 },
];
export const FAULT_PARTNERS = ["flt-p1", "flt-p2"] as const;
const ADVERTISER = "flt-adv";

export interface FaultPipeline {
  stack: TestStack;
  /** Every role's environment. */
  env: Record<string, string>;
  /** The ingest, or the round-robin proxy in front of several. */
  ingestUrl: string;
  /** Requests the proxy sent to each ingest (one ingest: null). */
  proxyCounts(): number[] | null;
  apiKeys: Map<string, string>;
  /** The first ingest replica. */
  ingest: RoleProcess;
  ingests: RoleProcess[];
  aggregators: RoleProcess[];
  /** The first archiver replica. */
  archiver: RoleProcess;
  archivers: RoleProcess[];
  /** Where each role serves /metrics, by role name. */
  metricsUrls: Map<string, string>;
  reviewSink: RoleProcess;
  roles(): RoleProcess[];
  /** Kills every role and drops the test stack. */
  dispose(): Promise<void>;
}

export async function startFaultPipeline(
  options: FaultPipelineOptions = {},
): Promise<FaultPipeline> {
  const lakeBucket = "adclick-faults";
  const lakePrefix = `run-${randomBytes(5).toString("hex")}`;
  const stack = await createTestStack({
    ...options.stack,
    env: {
      LAKE_URL: `s3://${lakeBucket}/${lakePrefix}`,
      KAFKA_TOPIC_PARTITIONS: "4",
      ...options.stack?.env,
      ...options.env,
    },
  });
  const env = { ...stack.env };
  const apiKeys = new Map<string, string>();
  const conn = connectDb(env.DATABASE_URL!, { max: 1, applicationName: "adclick-faults-seed" });
  try {
    await createAdvertiser(conn.db, { id: ADVERTISER, name: "Fault Suite Advertiser" });
    for (const c of FAULT_CAMPAIGNS)
      await createCampaign(conn.db, {
        id: c.id,
        advertiserId: ADVERTISER,
        name: c.id,
        cpcMicros: c.cpcMicros,
        landingUrl: `https://example.com/${c.id}`,
      });
    for (const id of FAULT_PARTNERS) {
      const { apiKey } = await createPartner(conn.db, { id, name: id, rateLimitPerSec: 100_000 });
      apiKeys.set(id, apiKey);
    }
  } finally {
    await conn.close();
  }

  const metricsUrls = new Map<string, string>();
  const ingests: RoleProcess[] = [];
  const ingestUrls: string[] = [];
  for (let i = 0; i < (options.ingests ?? 1); i++) {
    const name = (options.ingests ?? 1) > 1 ? `ingest-${i}` : "ingest";
    const ingestPort = await freePort();
    const url = `http://127.0.0.1:${ingestPort}`;
    const opsPort = await freePort();
    ingestUrls.push(url);
    metricsUrls.set(name, `http://127.0.0.1:${opsPort}/metrics`);
    ingests.push(
      new RoleProcess(name, {
        args: ["ingest", "--ops-port", String(opsPort)],
        env: { ...env, INGEST_PORT: String(ingestPort) },
        readyUrl: `${url}/readyz`,
      }),
    );
  }
  const proxy = ingests.length > 1 ? await startRoundRobinProxy(ingestUrls) : null;
  const ingestUrl = proxy?.url ?? ingestUrls[0]!;
  const aggregators: RoleProcess[] = [];
  for (let i = 0; i < (options.aggregators ?? 1); i++) {
    const port = await freePort();
    metricsUrls.set(`aggregator-${i}`, `http://127.0.0.1:${port}/metrics`);
    aggregators.push(
      new RoleProcess(`aggregator-${i}`, {
        args: [
          "aggregate",
          "--ops-port",
          String(port),
          "--session-timeout-ms",
          String(options.sessionTimeoutMs ?? 10_000),
          "--blocklist-refresh-ms",
          "5000",
        ],
        env,
        readyUrl: `http://127.0.0.1:${port}/readyz`,
      }),
    );
  }
  const archivers: RoleProcess[] = [];
  for (let i = 0; i < (options.archivers ?? 1); i++) {
    const name = (options.archivers ?? 1) > 1 ? `archiver-${i}` : "archiver";
    const archivePort = await freePort();
    metricsUrls.set(name, `http://127.0.0.1:${archivePort}/metrics`);
    archivers.push(
      new RoleProcess(name, {
        // Short rolls: the lake holds the stream a few seconds after it ends.
        args: ["archive", "--ops-port", String(archivePort), "--roll-seconds", "3"],
        env,
        readyUrl: `http://127.0.0.1:${archivePort}/readyz`,
      }),
    );
  }
  const sinkPort = await freePort();
  const reviewSink = new RoleProcess("review-sink", {
    args: ["review-sink", "--ops-port", String(sinkPort)],
    env,
    readyUrl: `http://127.0.0.1:${sinkPort}/readyz`,
  });

  const sinkMetrics = `http://127.0.0.1:${sinkPort}/metrics`;
  metricsUrls.set("review-sink", sinkMetrics);
  const pipeline: FaultPipeline = {
    stack,
    env,
    ingestUrl,
    proxyCounts: () => proxy?.counts() ?? null,
    apiKeys,
    ingest: ingests[0]!,
    ingests,
    aggregators,
    archiver: archivers[0]!,
    archivers,
    metricsUrls,
    reviewSink,
    roles: () => [...ingests, ...aggregators, ...archivers, reviewSink],
    async dispose() {
      for (const role of pipeline.roles()) await role.dispose().catch(() => undefined);
      await proxy?.close().catch(() => undefined);
      await clearLake(stack.config).catch(() => undefined);
      await stack.cleanup();
    },
  };
  try {
    // One after the other: two cores, and each role creates the topics it needs.
    for (const role of pipeline.roles()) await role.start();
  } catch (err) {
    await pipeline.dispose();
    throw err;
  }
  return pipeline;
}
