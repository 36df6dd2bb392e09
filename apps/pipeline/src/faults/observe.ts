/**
 * Reads what the pipeline's sinks hold, straight from the servers: the Redis
 * live counters (C3 keys), the lake's Parquet files (read with hyparquet, the
 * project's Parquet library), the review queue and billing_daily in Postgres.
 */
import { type Config, loadConfig } from "@adclick/shared";
import { createRedisClient, replyValue, SlotPipeline, scanKeys } from "@adclick/shared/redis";
import { parquetReadObjects } from "hyparquet";
import { AssignerProtocol, Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { openLake } from "../lake";
import { eventIdentity } from "../simulate/exactly-once";
import type { BillingCell, CounterCell } from "./expected";

/** Every live counter (C3 keys) of the run's Redis: its node, or every master of its cluster. */
export async function readCounters(env: Record<string, string>): Promise<Map<string, CounterCell>> {
  const redis = createRedisClient(loadConfig(env), { maxRetriesPerRequest: 3 });
  const out = new Map<string, CounterCell>();
  try {
    for await (const keys of scanKeys(redis, "counter:*")) {
      const batch = new SlotPipeline(redis);
      for (const key of keys) batch.add(key, (p) => p.hgetall(key));
      const replies = await batch.exec();
      for (const [i, key] of keys.entries()) {
        const h = replyValue(replies[i]) as Record<string, string>;
        out.set(key, {
          clicks: Number(h.clicks ?? 0),
          cost_micros: Number(h.cost_micros ?? 0),
          suspicious: Number(h.suspicious ?? 0),
          fraud: Number(h.fraud ?? 0),
          unique_users: Number(h.unique_users ?? 0),
        });
      }
    }
  } finally {
    redis.disconnect();
  }
  return out;
}

/** Sum of clicks + fraud over the day totals of dimension `all`: how much of the stream is counted. */
export function countedSoFar(counters: ReadonlyMap<string, CounterCell>): number {
  let n = 0;
  for (const [key, cell] of counters) if (/:\d{8}:all$/.test(key)) n += cell.clicks + cell.fraud;
  return n;
}

/** Identities of every event in the lake's Parquet files under `dataset/`, one per row. */
export async function readLake(
  env: Record<string, string>,
  dataset: "raw" | "fraud",
): Promise<string[]> {
  return (await readLakeFiles(env, dataset)).map((row) => row.id);
}

/** Every row's identity with the file that holds it. */
export async function readLakeFiles(
  env: Record<string, string>,
  dataset: "raw" | "fraud",
): Promise<Array<{ id: string; file: string }>> {
  const lake = openLake(loadConfig(env), process.cwd());
  try {
    const keys = (await lake.list(`${dataset}/`)).filter((k) => k.endsWith(".parquet"));
    const ids: Array<{ id: string; file: string }> = [];
    for (const key of keys) {
      const bytes = await lake.get(key);
      const file = bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
      const rows = (await parquetReadObjects({
        file,
        columns: ["partner_id", "event_id"],
      })) as Array<{
        partner_id: string;
        event_id: string;
      }>;
      for (const r of rows)
        ids.push({ id: eventIdentity(String(r.partner_id), String(r.event_id)), file: key });
    }
    return ids;
  } finally {
    await lake.close();
  }
}

/** Deletes every object of the run's lake (its own prefix on the S3 server). */
export async function clearLake(config: Config): Promise<void> {
  const lake = openLake(config, process.cwd());
  try {
    for (const key of await lake.list("")) await lake.delete(key);
  } finally {
    await lake.close();
  }
}

async function query<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Identities in the review queue, one per row. */
export async function readReviewQueue(databaseUrl: string): Promise<string[]> {
  const rows = await query<{ partner_id: string; event_id: string }>(
    databaseUrl,
    "select partner_id, event_id from review_queue",
  );
  return rows.map((r) => eventIdentity(r.partner_id, r.event_id));
}

/** `YYYY-MM-DD|campaign|dimension` -> row, for the given days. */
export async function readBilling(
  databaseUrl: string,
  days: string[],
): Promise<Map<string, BillingCell>> {
  const rows = await query<{
    day: string;
    campaign_id: string;
    dimension: string;
    clicks: string;
    unique_users: string;
    cost_micros: string;
    fraud_clicks: string;
    suspicious_clicks: string;
  }>(
    databaseUrl,
    `select to_char(day, 'YYYY-MM-DD') as day, campaign_id, dimension, clicks, unique_users,
            cost_micros, fraud_clicks, suspicious_clicks
       from billing_daily where to_char(day, 'YYYY-MM-DD') = any($1)`,
    [days],
  );
  return new Map(
    rows.map((r) => [
      `${r.day}|${r.campaign_id}|${r.dimension}`,
      {
        clicks: Number(r.clicks),
        unique_users: Number(r.unique_users),
        cost_micros: Number(r.cost_micros),
        fraud_clicks: Number(r.fraud_clicks),
        suspicious_clicks: Number(r.suspicious_clicks),
      },
    ]),
  );
}

export async function readBatchRuns(
  databaseUrl: string,
): Promise<Array<{ day: string; status: string }>> {
  return query(
    databaseUrl,
    "select to_char(day, 'YYYY-MM-DD') as day, status::text as status from batch_runs order by id",
  );
}

/** The members of a consumer group and how many partitions each is assigned. */
export async function groupAssignments(
  brokers: string[],
  groupId: string,
): Promise<Array<{ clientHost: string; memberId: string; partitions: number }>> {
  const kafka = new Kafka({
    brokers,
    clientId: "adclick-faults-observer",
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((m) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      const partitions = Object.values(assignment?.assignment ?? {}).reduce(
        (n, p) => n + p.length,
        0,
      );
      return { clientHost: m.clientHost, memberId: m.memberId, partitions };
    });
  } finally {
    await admin.disconnect();
  }
}
