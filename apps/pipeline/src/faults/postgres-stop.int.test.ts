/**
 * Fault: Postgres stopped for 10 s mid-stream, then started again. The test
 * runs a PostgreSQL cluster of its own (initdb + pg_ctl, own port and data
 * directory), never the machine's server. The ingest answers 503 or serves
 * from its caches, the review sink retries; nothing is lost or doubled.
 */
import { createTestDatabase } from "@adclick/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnPostgres, startOwnPostgres } from "../../../../test/own-postgres";
import { sleep } from "../../../../test/processes";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import { readReviewQueue } from "./observe";
import { verifyFaultRun } from "./verify";

let postgres: OwnPostgres;
let pipeline: FaultPipeline;

beforeAll(async () => {
  postgres = await startOwnPostgres();
  const database = await createTestDatabase(postgres.url);
  pipeline = await startFaultPipeline({
    stack: { database: false },
    env: { DATABASE_URL: database.url },
  });
}, 180_000);

afterAll(async () => {
  await pipeline?.dispose();
  postgres?.destroy();
});

describe("fault: Postgres stopped for 10 s", () => {
  it("keeps every click exact through a Postgres outage of the test's own cluster", async () => {
    const load = startLoad(pipeline, { seed: 1404, ratePerSec: 200, durationSec: 30 });
    await sleep(7000);
    const queuedBefore = (await readReviewQueue(pipeline.env.DATABASE_URL!)).length;
    const acknowledgedBefore = load.progress();
    postgres.stop();
    const stoppedAt = Date.now();
    await expect(readReviewQueue(pipeline.env.DATABASE_URL!)).rejects.toThrow();
    await sleep(10_000 - (Date.now() - stoppedAt));
    postgres.start();
    console.log(
      `[fault: Postgres stop] stopped for ${Date.now() - stoppedAt} ms with ${acknowledgedBefore} acknowledged and ${queuedBefore} queued for review; ${load.progress()} acknowledged when it came back`,
    );
    expect(acknowledgedBefore).toBeGreaterThan(0);
    await verifyFaultRun(pipeline, load, "Postgres stopped for 10 s");
  }, 300_000);
});
