/**
 * Fault: the Kafka broker restarted mid-stream. The test runs a broker of its
 * own (own ports and data directory, the stack's jars), never the shared one;
 * every role rides out the restart and nothing is lost or doubled.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OwnKafka, startOwnKafka } from "../../../../test/own-kafka";
import { sleep } from "../../../../test/processes";
import { startLoad } from "./fault-load";
import { type FaultPipeline, startFaultPipeline } from "./fault-pipeline";
import { verifyFaultRun } from "./verify";

let broker: OwnKafka;
let pipeline: FaultPipeline;

beforeAll(async () => {
  broker = await startOwnKafka();
  pipeline = await startFaultPipeline({ env: { KAFKA_BROKERS: broker.address } });
}, 240_000);

afterAll(async () => {
  await pipeline?.dispose();
  await broker?.destroy();
});

describe("fault: the Kafka broker restarted mid-stream", () => {
  it("rides out a broker restart with every click counted, archived and billed once", async () => {
    const load = startLoad(pipeline, { seed: 1405, ratePerSec: 200, durationSec: 30 });
    await sleep(7000);
    const acknowledgedBefore = load.progress();
    const stoppedAt = Date.now();
    await broker.stop();
    await sleep(3000);
    await broker.start();
    console.log(
      `[fault: Kafka restart] broker down for ${Date.now() - stoppedAt} ms with ${acknowledgedBefore} acknowledged before`,
    );
    expect(acknowledgedBefore).toBeGreaterThan(0);
    await verifyFaultRun(pipeline, load, "Kafka broker restarted");
  }, 360_000);
});
