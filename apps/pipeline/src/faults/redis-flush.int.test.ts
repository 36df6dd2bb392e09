/**
 * Fault: Redis loses everything mid-stream (FLUSHDB on the test's own Redis
 * database index, keeping only the test stack's marker keys). The aggregator
 * must notice and rebuild its counters by replaying Kafka; the counters end
 * exact, and the lake and billing hold every event once.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../../../test/processes";
import { TEST_STACK_REDIS_KEYS } from "../../../../test/stack";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import { countedSoFar, readCounters } from "./observe";
import { verifyFaultRun } from "./verify";

let pipeline: FaultPipeline;

beforeAll(async () => {
  pipeline = await startFaultPipeline();
}, 180_000);

afterAll(async () => {
  await pipeline?.dispose();
});

/** FLUSHDB and the stack's own keys put back, in one transaction. */
async function flushKeepingMarkers(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl);
  try {
    const markers = await Promise.all(
      TEST_STACK_REDIS_KEYS.map(async (key) => ({
        key,
        value: await redis.get(key),
        ttl: await redis.pttl(key),
      })),
    );
    const before = await redis.dbsize();
    const tx = redis.multi().flushdb();
    for (const m of markers) {
      if (m.value === null) continue;
      if (m.ttl > 0) tx.set(m.key, m.value, "PX", m.ttl);
      else tx.set(m.key, m.value);
    }
    const results = await tx.exec();
    expect(results?.map(([err, reply]) => err ?? reply)).toEqual([
      "OK",
      ...markers.filter((m) => m.value !== null).map(() => "OK"),
    ]);
    return before;
  } finally {
    redis.disconnect();
  }
}

describe("fault: Redis flushed mid-stream", () => {
  it("rebuilds the live counters by replay, exactly, and loses nothing downstream", async () => {
    const durationSec = 25;
    const startedAt = Date.now();
    const load = startLoad(pipeline, { seed: 1402, ratePerSec: 200, durationSec });
    await sleep(10_000);
    const countedBefore = countedSoFar(await readCounters(pipeline.env));
    const keysBefore = await flushKeepingMarkers(pipeline.env.REDIS_URL!);
    const flushedAtMs = Date.now() - startedAt;
    const acknowledgedAtFlush = load.progress();
    console.log(
      `[fault: Redis flush] flushed ${keysBefore} keys ${flushedAtMs} ms into the stream, with ${countedBefore} events counted and ${acknowledgedAtFlush} acknowledged`,
    );
    // Mid-stream: counting had begun and traffic follows the flush.
    expect(countedBefore).toBeGreaterThan(0);
    expect(flushedAtMs).toBeLessThan(durationSec * 1000 - 5000);
    // The aggregator keeps running: no restart, it must detect the loss itself.
    await verifyFaultRun(pipeline, load, "Redis flushed mid-stream");
    expect(pipeline.aggregators[0]!.starts).toBe(1);
  }, 300_000);
});
