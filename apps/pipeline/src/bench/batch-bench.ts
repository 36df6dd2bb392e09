import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { connectDb } from "@adclick/db/client";
import {
  activateFraudModel,
  createAdvertiser,
  createCampaign,
  insertFraudModel,
} from "@adclick/db/queries";
import { createTestDatabase } from "@adclick/db/testing";
import type { ClickRecord, Config, Device } from "@adclick/shared";
import type { BatchResult } from "../batch/batch-job";
import type { LeastPasses } from "../batch/least-passes";
import { featureRows, labelledDay } from "../fraud/labelled-examples";
import { trainLogistic } from "../fraud/train-logistic";
import { FileLakeStore } from "../lake/file-lake-store";
import { segmentFileKey } from "../lake/lake-layout";
import { SegmentWriter } from "../lake/segment-writer";
import type { ReportFigure } from "./figures";
import { runChild } from "./run-child";

export interface BatchBenchOptions {
  events: number;
  memoryLimit: string;
  threads: number;
  segmentEvents: number;
  /** Bill the day with a trained fraud model active (scored click by click). */
  model?: boolean;
}

const DEVICES: Device[] = ["mobile", "desktop", "tablet", "other"];
const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "ES", "IT", null];
const AGENTS = Array.from(
  { length: 40 },
  (_, i) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/${100 + i}.0 Safari/537.36`,
);
const BOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
const CAMPAIGNS = 200;
const DAY = "2026-01-15";
const DAY_MS = Date.UTC(2026, 0, 15);

/** A deterministic pseudo-random day of traffic, one segment at a time, as Kafka message values. */
function* generateSegments(total: number, segmentEvents: number): Generator<Buffer[]> {
  let seed = 42;
  const rand = () => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let start = 0; start < total; start += segmentEvents) {
    const n = Math.min(segmentEvents, total - start);
    const values: Buffer[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const i = start + j;
      // 1% are resends of an earlier event; 0.5% are declared bots.
      const id = rand() < 0.01 && i > 1000 ? i - 1 - Math.floor(rand() * 1000) : i;
      const ts =
        DAY_MS +
        Math.floor((i / total) * 86_400_000) -
        Math.floor(rand() * 120_000 * (rand() < 0.02 ? 30 : 1));
      const campaign = Math.floor(rand() * CAMPAIGNS);
      const record: ClickRecord = {
        event_id: `e${id.toString(36)}`,
        partner_id: `partner-${campaign % 20}`,
        campaign_id: `cmp-${campaign}`,
        advertiser_id: `adv-${campaign % 25}`,
        ad_id: `ad-${campaign}-${Math.floor(rand() * 5)}`,
        user_id: `u${Math.floor(rand() * 1_000_000)}`,
        ip: `10.${Math.floor(rand() * 8)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`,
        user_agent: rand() < 0.005 ? BOT : AGENTS[Math.floor(rand() * AGENTS.length)]!,
        ts: Math.max(DAY_MS, ts),
        received_at: DAY_MS + Math.floor((i / total) * 86_400_000) + 50,
        country: COUNTRIES[Math.floor(rand() * COUNTRIES.length)]!,
        device: DEVICES[Math.floor(rand() * 4)]!,
        publisher_id: rand() < 0.5 ? `pub-${Math.floor(rand() * 100)}` : null,
        referrer: null,
        cost_micros: 100_000 + (campaign % 10) * 50_000,
      };
      values[j] = Buffer.from(JSON.stringify(record));
    }
    yield values;
  }
}

/**
 * `adclick bench batch`: writes a generated day to a scratch lake the way the
 * archiver does (JSON values → Parquet files per event hour) and times it,
 * then bills the day with the real batch into a throwaway database.
 */
export async function benchBatch(
  config: Config,
  opts: BatchBenchOptions,
  out: (line: string) => void,
  report: ReportFigure = () => {},
): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "adclick-bench-"));
  const lake = new FileLakeStore(join(scratch, "lake"));
  const database = await createTestDatabase(config.DATABASE_URL);
  const conn = connectDb(database.url, { max: 3 });
  try {
    // Archiver path: Kafka values → (DuckDB) JSON parse, split by event hour, Parquet encode → durable write.
    const writer = new SegmentWriter({ tmpDir: scratch });
    let archiveCpuUs = 0;
    let archiveWallMs = 0;
    let bytes = 0;
    let files = 0;
    let segment = 0;
    try {
      for (const values of generateSegments(opts.events, opts.segmentEvents)) {
        const cpu = process.cpuUsage();
        const t = performance.now();
        const encoded = await writer.encode(values);
        const first = segment * opts.segmentEvents;
        for (const file of encoded.files) {
          await lake.put(
            segmentFileKey(
              "raw",
              file.hourStartMs,
              0,
              String(first),
              String(first + values.length - 1),
            ),
            file.body,
          );
          bytes += file.body.byteLength;
          files++;
        }
        const used = process.cpuUsage(cpu);
        archiveCpuUs += used.user + used.system;
        archiveWallMs += performance.now() - t;
        segment++;
      }
    } finally {
      await writer.close();
    }
    out(`events generated: ${opts.events}`);
    out(
      `archiver: ${fmt(opts.events / (archiveCpuUs / 1e6))} events/s per core (${fmt(opts.events / (archiveWallMs / 1000))} events/s wall; JSON parse + Parquet encode + durable write, DuckDB on 1 thread)`,
    );
    report({
      id: "archive.per_cpu_s",
      value: opts.events / (archiveCpuUs / 1e6),
      unit: "events/CPU-s",
    });
    out(
      `parquet: ${(bytes / opts.events).toFixed(1)} bytes/event (${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB)`,
    );

    await createAdvertiser(conn.db, { id: "adv-bench", name: "Bench" });
    for (let c = 0; c < CAMPAIGNS; c++) {
      await createCampaign(conn.db, {
        id: `cmp-${c}`,
        advertiserId: "adv-bench",
        name: `c${c}`,
        cpcMicros: 100_000,
        landingUrl: "https://example.com/",
      });
    }
    if (opts.model) {
      // A model trained on a simulated labelled day, active before the billed day.
      const train = labelledDay(32, { dayStartMs: DAY_MS - 86_400_000, durationSec: 7200 });
      const params = trainLogistic(
        featureRows(train.map((e) => e.click)).vectors,
        train.map((e) => e.label),
        { steps: 200 },
      );
      const version = await insertFraudModel(conn.db, { kind: params.kind, params, quality: {} });
      await activateFraudModel(conn.db, version, "bench", new Date(DAY_MS - 1));
      out(`fraud model v${version} active for the day`);
    }
    const childInput = {
      databaseUrl: database.url,
      lakeDir: join(scratch, "lake"),
      tmpDir: scratch,
      day: DAY,
      memoryLimit: opts.memoryLimit,
      threads: opts.threads,
    };
    // The yardstick, over the same lake in the same run: DuckDB's least passes for the day.
    const least = (
      await runChild<{ result: LeastPasses }>(
        new URL("./batch-child.ts", import.meta.url),
        { ...childInput, mode: "least-passes" },
        "the least-passes process",
      )
    ).result;
    out(
      `least passes: ${least.totalCpuS.toFixed(1)} CPU s (${Object.entries(least.cpuS)
        .map(([name, s]) => `${name} ${s.toFixed(1)}`)
        .join(", ")})`,
    );
    // The batch runs in a process of its own, as `adclick batch` does: its memory is its own.
    const { result, wallMs, cpuS, peakRssBytes } = await runBatchChild(childInput);
    out(
      `batch: ${fmt(result.eventsIn / cpuS)} events/s per core (${fmt(result.eventsIn / (wallMs / 1000))} events/s wall on ${opts.threads} DuckDB threads, ${(wallMs / 1000).toFixed(1)} s, ${cpuS.toFixed(1)} CPU s)`,
    );
    out(
      `batch / least passes: ${(cpuS / least.totalCpuS).toFixed(2)} (CPU s, target <= 1.3${opts.model ? "; model active" : ""})`,
    );
    report({
      id: "batch.cpu_s",
      value: cpuS,
      unit: "CPU s",
      ceiling: { name: "DuckDB least passes", value: least.totalCpuS },
      note: `${fmt(opts.events)} events${opts.model ? ", fraud model active" : ""}`,
    });
    report({ id: "batch.peak_rss_mib", value: peakRssBytes / 1024 / 1024, unit: "MiB" });
    out(
      `batch: peak RSS ${mib(peakRssBytes)} MiB (the batch's own process, start-up included; DuckDB memory_limit ${opts.memoryLimit})`,
    );
    out(
      `batch steps (ms): ${Object.entries(result.stepMs)
        .map(([name, ms]) => `${name} ${ms}`)
        .join(", ")}`,
    );
    out(
      `batch: ${result.eventsIn} events in, ${result.duplicates} duplicates, ${result.fraudRemoved} fraud removed, ${result.rowsOut} billing rows (COPY)`,
    );
  } finally {
    await conn.close();
    await database.drop();
    await rm(scratch, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mib = (b: number) => Math.round(b / 1024 / 1024);

export const DEFAULT_BENCH_THREADS = availableParallelism();

interface ChildOutput {
  result: BatchResult;
  wallMs: number;
  cpuS: number;
  peakRssBytes: number;
}

function runBatchChild(input: Record<string, unknown>): Promise<ChildOutput> {
  return runChild<ChildOutput>(
    new URL("./batch-child.ts", import.meta.url),
    input,
    "the batch process",
  );
}
