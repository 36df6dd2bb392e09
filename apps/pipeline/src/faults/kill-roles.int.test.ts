/**
 * Fault: kill -9 of each role in turn while the stream runs (ingest,
 * aggregator, archiver, review sink), each restarted at once. Nothing is lost
 * or counted twice anywhere. Then the batch is killed mid-run, and its re-run
 * bills the days exactly.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAdclick, sleep, waitFor } from "../../../../test/processes";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import {
  countedSoFar,
  readBatchRuns,
  readBilling,
  readCounters,
  readLake,
  readReviewQueue,
} from "./observe";
import { verifyFaultRun } from "./verify";

let pipeline: FaultPipeline;

beforeAll(async () => {
  pipeline = await startFaultPipeline();
}, 180_000);

afterAll(async () => {
  await pipeline?.dispose();
});

describe("fault: kill -9 of each role mid-stream", () => {
  it("loses nothing and duplicates nothing when ingest, aggregator, archiver and review sink are killed in turn", async () => {
    const load = startLoad(pipeline, { seed: 1401, ratePerSec: 200, durationSec: 36 });
    const progressAtKill: Record<string, { atKill: number; final: () => Promise<number> }> = {};
    const startedAt = Date.now();

    // Each kill at its own time from the start of the stream, whatever the restarts before it take.
    const killAndRestartAt = async (
      offsetMs: number,
      role: typeof pipeline.ingest,
      measure: () => Promise<number>,
    ) => {
      await sleep(offsetMs - (Date.now() - startedAt));
      const atKill = await measure();
      const exit = await role.kill9();
      expect(exit.signal).toBe("SIGKILL");
      progressAtKill[role.name] = { atKill, final: measure };
      console.log(
        `[fault: kill -9] ${role.name} killed ${Date.now() - startedAt} ms into the stream`,
      );
      await role.start();
    };
    await Promise.all([
      killAndRestartAt(5000, pipeline.ingest, async () => load.progress()),
      killAndRestartAt(11_000, pipeline.aggregators[0]!, async () =>
        countedSoFar(await readCounters(pipeline.env)),
      ),
      killAndRestartAt(
        17_000,
        pipeline.archiver,
        async () => (await readLake(pipeline.env, "raw")).length,
      ),
      killAndRestartAt(
        23_000,
        pipeline.reviewSink,
        async () => (await readReviewQueue(pipeline.env.DATABASE_URL!)).length,
      ),
    ]);

    const batchKills: string[] = [];
    const killBatchMidRunThenRerun = async (days: string[]) => {
      const db = pipeline.env.DATABASE_URL!;
      for (const day of days) {
        let child: ChildProcess | undefined;
        const run = runAdclick(["batch", "--date", day], pipeline.env, {
          onSpawn: (c) => {
            child = c;
          },
        });
        await waitFor(
          `the batch for ${day} to be running`,
          async () =>
            (await readBatchRuns(db)).some((r) => r.day === day && r.status === "running"),
          { timeoutMs: 60_000, intervalMs: 25 },
        );
        child!.kill("SIGKILL");
        const killed = await run;
        expect(killed.signal, `the batch ended before the kill: ${killed.stdout}`).toBe("SIGKILL");
        // Mid-run: nothing of the day was billed yet.
        const billedAtKill = (await readBilling(db, [day])).size;
        batchKills.push(`${day}: ${billedAtKill} billing rows at the kill`);
        expect(billedAtKill).toBe(0);
        const again = await runAdclick(["batch", "--date", day], pipeline.env);
        expect(again.code, again.stderr).toBe(0);
      }
    };

    const result = await verifyFaultRun(pipeline, load, "kill -9 of each role and of the batch", {
      bill: killBatchMidRunThenRerun,
    });
    console.log(`[fault: kill -9] batch killed mid-run: ${batchKills.join("; ")}`);
    // Each kill happened mid-stream: some, not all, of the work was done.
    for (const [name, p] of Object.entries(progressAtKill)) {
      const final = await p.final();
      console.log(`[fault: kill -9] ${name} killed at ${p.atKill} of ${final}`);
      expect(p.atKill, `${name} had done nothing when killed`).toBeGreaterThan(0);
      expect(p.atKill, `${name} had done everything when killed`).toBeLessThan(final);
    }
    expect(result.expected.events.size).toBeGreaterThan(5000);
  }, 420_000);
});
