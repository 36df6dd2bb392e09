/**
 * The one shared test setup: a throwaway Postgres database, Redis database
 * index, Kafka topic prefix and lake folder per test file (C7). Cleanup refuses
 * to touch anything whose name is not a test's.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@adclick/db/testing";
import { type Config, loadConfig } from "@adclick/shared";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";

const LOCK_KEY = "__adclick_test_lock__";
/** Left in a database a test has used: only such a database (or an empty one) may be flushed. */
const MARKER_KEY = "__adclick_test_db__";
/** The test stack's own keys, which a test that wipes its Redis database must keep. */
export const TEST_STACK_REDIS_KEYS: readonly string[] = [LOCK_KEY, MARKER_KEY];
const TOPIC_PREFIX_RE = /^t-[0-9a-f]{10}\.$/;

export interface TestStack {
  config: Config;
  /** Environment variables for child processes (`adclick …`) that must use this stack. */
  env: Record<string, string>;
  redisDb: number;
  topicPrefix: string;
  lakeDir: string;
  cleanup(): Promise<void>;
}

export interface TestStackOptions {
  /** Create and migrate a database (default true). */
  database?: boolean;
  /** Extra environment on top of the test stack's. */
  env?: Record<string, string>;
}

const baseEnv = (): Record<string, string | undefined> => ({
  KAFKA_BROKERS: process.env.KAFKA_BROKERS,
  REDIS_URL: process.env.REDIS_URL,
  DATABASE_URL: process.env.DATABASE_URL,
  S3_ENDPOINT: process.env.S3_ENDPOINT,
});

export async function createTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const id = randomBytes(5).toString("hex");
  const base = loadConfig(baseEnv());
  const cleanups: Array<() => Promise<void>> = [];

  let databaseUrl = base.DATABASE_URL;
  if (options.database !== false) {
    const database = await createTestDatabase(base.DATABASE_URL);
    databaseUrl = database.url;
    cleanups.push(database.drop);
  }

  const { redisUrl, redisDb, release } = await claimRedisDb(base.REDIS_URL, id);
  cleanups.push(release);

  const topicPrefix = `t-${id}.`;
  cleanups.push(() => deleteTopics(base.KAFKA_BROKERS, topicPrefix));

  const lakeDir = await mkdtemp(join(tmpdir(), "adclick-test-lake-"));
  cleanups.push(async () => {
    if (!lakeDir.includes("adclick-test-lake-")) throw new Error(`refusing to delete ${lakeDir}`);
    await rm(lakeDir, { recursive: true, force: true });
  });

  const env: Record<string, string> = {
    KAFKA_BROKERS: base.KAFKA_BROKERS.join(","),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: "4",
    REDIS_URL: redisUrl,
    DATABASE_URL: databaseUrl,
    LAKE_URL: `file://${lakeDir}`,
    S3_ENDPOINT: base.S3_ENDPOINT,
    LOG_LEVEL: "warn",
    ...options.env,
  };
  return {
    config: loadConfig(env),
    env,
    redisDb,
    topicPrefix,
    lakeDir,
    async cleanup() {
      for (const fn of cleanups.reverse()) await fn();
    },
  };
}

/**
 * Claims a free Redis database index 1-15 (never the one REDIS_URL names) with a
 * lock key. A database holding data is only used when a test marked it: data
 * of anything else is never flushed.
 */
async function claimRedisDb(
  baseUrl: string,
  id: string,
): Promise<{ redisUrl: string; redisDb: number; release(): Promise<void> }> {
  const ownIndex = Number(new URL(baseUrl).pathname.slice(1) || "0");
  const candidates = [...Array(15).keys()].map((i) => i + 1).filter((i) => i !== ownIndex);
  for (let attempt = 0; attempt < 60; attempt++) {
    for (const index of shuffle(candidates)) {
      const url = new URL(baseUrl);
      url.pathname = `/${index}`;
      const redis = new Redis(url.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      try {
        if ((await redis.set(LOCK_KEY, id, "EX", 3600, "NX")) !== "OK") continue;
        const keys = await redis.dbsize();
        if (keys > 1 && !(await redis.exists(MARKER_KEY))) {
          // Someone else's data: leave the database alone.
          await redis.del(LOCK_KEY);
          continue;
        }
        // A database left behind by a crashed test holds only test data: start clean.
        if (keys > 1) await redis.flushdb();
        await redis.set(LOCK_KEY, id, "EX", 3600);
        await redis.set(MARKER_KEY, "1");
        // Tests run well under the lock's hour; keep it alive for a slow one all the same.
        const keepAlive = setInterval(() => {
          const r = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
          r.expire(LOCK_KEY, 3600)
            .catch(() => undefined)
            .finally(() => r.disconnect());
        }, 600_000);
        keepAlive.unref();
        return {
          redisUrl: url.toString(),
          redisDb: index,
          async release() {
            clearInterval(keepAlive);
            const r = new Redis(url.toString(), { maxRetriesPerRequest: 1 });
            try {
              if ((await r.get(LOCK_KEY)) === id) await r.flushdb();
            } finally {
              await r.quit();
            }
          },
        };
      } finally {
        await redis.quit();
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    "no free Redis database index 1-15 for the test (all locked, or holding data that is not a test's)",
  );
}

async function deleteTopics(brokers: string[], prefix: string): Promise<void> {
  if (!TOPIC_PREFIX_RE.test(prefix))
    throw new Error(`refusing to delete topics with prefix "${prefix}"`);
  const kafka = new Kafka({
    brokers,
    clientId: "adclick-test-cleanup",
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } catch {
    // The broker may be gone at the end of a failed run; topics with a test prefix are harmless.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
