/**
 * Fault: a consumer paused (SIGSTOP) past its Kafka session timeout, so the
 * group evicts it and its partitions move to the other aggregator; then it is
 * resumed (SIGCONT) with a batch in hand. A zombie must write nothing: the
 * counters stay exact, the lake and billing hold every event once.
 */

import { groupName } from "@adclick/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, waitFor } from "../../../../test/processes";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import { countedSoFar, groupAssignments, readCounters } from "./observe";
import { verifyFaultRun } from "./verify";

const SESSION_TIMEOUT_MS = 6000;
let pipeline: FaultPipeline;

beforeAll(async () => {
  pipeline = await startFaultPipeline({ aggregators: 2, sessionTimeoutMs: SESSION_TIMEOUT_MS });
}, 180_000);

afterAll(async () => {
  await pipeline?.dispose();
});

describe("fault: a consumer paused past its session timeout", () => {
  it("lets the paused aggregator write nothing once its partitions have moved", async () => {
    const load = startLoad(pipeline, { seed: 1403, ratePerSec: 200, durationSec: 30 });
    await sleep(8000);
    const [paused, other] = pipeline.aggregators as [
      (typeof pipeline.aggregators)[0],
      (typeof pipeline.aggregators)[0],
    ];
    const countedAtPause = countedSoFar(await readCounters(pipeline.env));
    paused!.pause();
    const pausedAt = Date.now();
    // Past the session timeout: the group evicts it and the other aggregator holds every partition.
    const group = groupName(pipeline.stack.topicPrefix, "aggregator");
    let members: Awaited<ReturnType<typeof groupAssignments>> = [];
    await waitFor(
      "the paused aggregator's partitions to move to the other",
      async () => {
        members = await groupAssignments(pipeline.stack.config.KAFKA_BROKERS, group);
        return members.length === 1 && members[0]!.partitions === 4;
      },
      { timeoutMs: SESSION_TIMEOUT_MS * 6, intervalMs: 500 },
    );
    const evictedAfterMs = Date.now() - pausedAt;
    // Past the session timeout in any case, and the other aggregator counts a while before the zombie wakes.
    await sleep(Math.max(0, SESSION_TIMEOUT_MS - evictedAfterMs) + 3000);
    const pausedForMs = Date.now() - pausedAt;
    const countedWhilePaused = countedSoFar(await readCounters(pipeline.env));
    paused!.resume();
    console.log(
      `[fault: SIGSTOP] counted ${countedAtPause} at the pause, ${countedWhilePaused} when resumed after ${pausedForMs} ms (evicted after ${evictedAfterMs} ms); group then ${JSON.stringify(members)}`,
    );
    expect(countedAtPause).toBeGreaterThan(0);
    expect(countedWhilePaused).toBeGreaterThan(countedAtPause);
    await verifyFaultRun(pipeline, load, "consumer paused past its session timeout");
    expect(paused!.running && other!.running).toBe(true);
  }, 300_000);
});
