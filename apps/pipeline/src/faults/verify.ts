/**
 * The end of every fault test: wait until the sinks have caught up with the
 * stream, bill its days, and assert exactly that the live counters, the lake,
 * the review queue and billing_daily hold what the ingest acknowledged, each
 * event once. Prints `lost = …, duplicated = …` for every sink.
 */
import { expect } from "vitest";
import { runAdclick, sleep, waitFor } from "../../../../test/processes";
import {
  compareExactlyOnce,
  describeExactlyOnce,
  type ExactlyOnceReport,
} from "../simulate/exactly-once";
import type { SendStats } from "../simulate/http-sender";
import { type CounterCell, type Expected, expectedOutcome } from "./expected";
import { type RunningLoad, truthOf } from "./fault-load";
import { FAULT_CAMPAIGNS, type FaultPipeline } from "./fault-pipeline";
import {
  countedSoFar,
  readBatchRuns,
  readBilling,
  readCounters,
  readLake,
  readLakeFiles,
  readReviewQueue,
} from "./observe";

const CPC = new Map(FAULT_CAMPAIGNS.map((c) => [c.id, c.cpcMicros]));

/**
 * Redis's HyperLogLog may undercount small sets by a few (C3 calls
 * unique_users an estimate); its standard error is 0.81 %.
 */
export function hllTolerance(users: number): number {
  return Math.max(5, Math.ceil(users * 0.025));
}

export interface FaultRunResult {
  stats: SendStats;
  expected: Expected;
  lake: ExactlyOnceReport;
  fraudLake: ExactlyOnceReport;
  counterMismatches: string[];
  billingMismatches: string[];
}

/** Waits for the stream to end and every sink to catch up (fails with what is missing). */
export async function settle(pipeline: FaultPipeline, load: RunningLoad): Promise<Expected> {
  const stats = await load.done;
  expect(stats.failed, `requests that never got a 202: ${JSON.stringify(stats.statuses)}`).toBe(0);
  const bare = expectedOutcome(load.acknowledged, CPC, new Set());
  const distinct = bare.events.size;
  let counted = 0;
  await waitFor(
    `the live counters to count ${distinct} events`,
    async () => {
      counted = countedSoFar(await readCounters(pipeline.env));
      return counted >= distinct;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  ).catch((err) => {
    throw new Error(`${String(err)}: ${counted} of ${distinct} counted`);
  });
  let inLake = 0;
  await waitFor(
    `the lake to hold ${distinct} events`,
    async () => {
      inLake = (await readLake(pipeline.env, "raw")).length;
      return inLake >= distinct;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  ).catch((err) => {
    throw new Error(`${String(err)}: ${inLake} of ${distinct} in the lake`);
  });
  await waitFor(
    `the fraud sink to hold ${bare.fraud.size} events`,
    async () => (await readLake(pipeline.env, "fraud")).length >= bare.fraud.size,
    { timeoutMs: 60_000, intervalMs: 1000 },
  );
  // The review queue must hold exactly the clicks the counters call suspicious.
  let queued = -1;
  let flagged = -2;
  await waitFor(
    "the review queue to hold every click the counters call suspicious",
    async () => {
      queued = (await readReviewQueue(pipeline.env.DATABASE_URL!)).length;
      flagged = 0;
      for (const [key, cell] of await readCounters(pipeline.env))
        if (/:\d{8}:all$/.test(key)) flagged += cell.suspicious;
      return queued === flagged;
    },
    { timeoutMs: 60_000, intervalMs: 1000 },
  ).catch((err) => {
    throw new Error(
      `${String(err)}: ${queued} queued, ${flagged} suspicious in the counters\nreview-sink's last lines:\n${pipeline.reviewSink.tail(60)}`,
    );
  });
  // A last look a moment later: nothing more may arrive (a late duplicate would).
  await sleep(2000);
  const suspicious = new Set(await readReviewQueue(pipeline.env.DATABASE_URL!));
  return expectedOutcome(load.acknowledged, CPC, suspicious);
}

/** Bills every day of the stream with `adclick batch --date`. */
export async function billDays(pipeline: FaultPipeline, days: string[]): Promise<void> {
  for (const day of days) {
    const run = await runAdclick(["batch", "--date", day], pipeline.env);
    expect(run.code, `adclick batch --date ${day}: ${run.stderr}`).toBe(0);
  }
}

export function compareCounters(
  actual: ReadonlyMap<string, CounterCell>,
  expected: ReadonlyMap<string, CounterCell>,
): string[] {
  const out: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) {
      out.push(`${key}: missing, want ${JSON.stringify(want)}`);
      continue;
    }
    const { unique_users: gotUsers, ...gotExact } = got;
    const { unique_users: wantUsers, ...wantExact } = want;
    if (JSON.stringify(gotExact) !== JSON.stringify(wantExact))
      out.push(`${key}: got ${JSON.stringify(gotExact)}, want ${JSON.stringify(wantExact)}`);
    if (Math.abs(gotUsers - wantUsers) > hllTolerance(wantUsers))
      out.push(`${key}: unique_users ${gotUsers}, want ${wantUsers}`);
  }
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${key}: not expected`);
  return out;
}

export function compareBilling<T>(
  actual: ReadonlyMap<string, T>,
  expected: ReadonlyMap<string, T>,
): string[] {
  const out: string[] = [];
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (JSON.stringify(got) !== JSON.stringify(want))
      out.push(`${key}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  for (const key of actual.keys()) if (!expected.has(key)) out.push(`${key}: not expected`);
  return out;
}

/**
 * Settles, bills and asserts every sink. `label` names the fault in the
 * printed line; `bill` replaces the plain `adclick batch` per day (a test that
 * faults the batch itself).
 */
export async function verifyFaultRun(
  pipeline: FaultPipeline,
  load: RunningLoad,
  label: string,
  {
    bill = (days: string[]) => billDays(pipeline, days),
  }: {
    bill?: (days: string[]) => Promise<void>;
  } = {},
): Promise<FaultRunResult> {
  const expected = await settle(pipeline, load);
  const stats = await load.done;
  // The simulator's own ground truth agrees on what was acknowledged.
  const truth = truthOf(load.acknowledged).toJSON();
  expect(truth.totals.distinct_events).toBe(expected.events.size);
  expect(truth.totals.sent).toBe(load.acknowledged.length);

  await bill(expected.days);
  const rawFiles = await readLakeFiles(pipeline.env, "raw");
  const lake = compareExactlyOnce(
    expected.events.keys(),
    rawFiles.map((r) => r.id),
  );
  const fraudLake = compareExactlyOnce(expected.fraud, await readLake(pipeline.env, "fraud"));
  const queue = await readReviewQueue(pipeline.env.DATABASE_URL!);
  const queueReport = compareExactlyOnce(
    queue.filter((id) => expected.events.has(id)),
    queue,
  );
  const counterMismatches = compareCounters(await readCounters(pipeline.env), expected.counters);
  const billingMismatches = compareBilling(
    await readBilling(pipeline.env.DATABASE_URL!, expected.days),
    expected.billing,
  );
  const runs = await readBatchRuns(pipeline.env.DATABASE_URL!);

  const lines = [
    `[fault: ${label}] ${stats.events} events sent in ${stats.requests} requests (statuses ${JSON.stringify(stats.statuses)}), ${expected.events.size} distinct acknowledged, ${expected.fraud.size} fraud, ${queue.length} suspicious`,
    `[fault: ${label}] ${describeExactlyOnce("lake raw/", lake)}`,
    `[fault: ${label}] ${describeExactlyOnce("lake fraud/", fraudLake)}`,
    `[fault: ${label}] live counters: ${expected.counters.size} keys, ${counterMismatches.length} differ`,
    `[fault: ${label}] billing_daily: ${expected.billing.size} rows, ${billingMismatches.length} differ (batch runs ${JSON.stringify(runs)})`,
    `[fault: ${label}] lost = ${lake.lost.length + fraudLake.lost.length}, duplicated = ${lake.duplicated.length + fraudLake.duplicated.length}`,
  ];
  console.log(lines.join("\n"));

  if (lake.duplicated.length) {
    const first = lake.duplicated[0];
    const files = rawFiles.filter((r) => r.id === first).map((r) => r.file);
    const twice = new Set(lake.duplicated);
    const byFile = new Map<string, number>();
    for (const r of rawFiles)
      if (twice.has(r.id)) byFile.set(r.file, (byFile.get(r.file) ?? 0) + 1);
    console.log(
      `[fault: ${label}] ${first} is in ${files.join(" and ")}; files holding duplicated events: ${JSON.stringify(Object.fromEntries(byFile))}`,
    );
  }
  if (counterMismatches.length)
    console.log(
      `[fault: ${label}] first counter differences:\n  ${counterMismatches.slice(0, 8).join("\n  ")}`,
    );
  if (billingMismatches.length)
    console.log(
      `[fault: ${label}] first billing differences:\n  ${billingMismatches.slice(0, 8).join("\n  ")}`,
    );

  // Soft: a failing run reports every sink, not only the first that differs.
  const exact = { lost: [], duplicated: [], unexpected: [] };
  expect.soft(lake, describeExactlyOnce("lake raw/", lake)).toMatchObject(exact);
  expect.soft(fraudLake, describeExactlyOnce("lake fraud/", fraudLake)).toMatchObject(exact);
  expect.soft(queueReport.unexpected, "review queue rows nobody acknowledged").toEqual([]);
  expect
    .soft(
      queue.filter((id) => expected.fraud.has(id)),
      "fraud clicks in the review queue",
    )
    .toEqual([]);
  expect
    .soft(counterMismatches.slice(0, 20), counterMismatches.slice(0, 20).join("\n"))
    .toEqual([]);
  expect
    .soft(billingMismatches.slice(0, 20), billingMismatches.slice(0, 20).join("\n"))
    .toEqual([]);
  return { stats, expected, lake, fraudLake, counterMismatches, billingMismatches };
}
