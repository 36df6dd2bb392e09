/**
 * The batch bench's measured process: bills one day in a process of its own,
 * as `adclick batch` runs in production, so its peak RSS and CPU time are the
 * batch's alone. Reads its inputs as JSON from argv[2]; prints one JSON line.
 */
import { connectDb } from "@adclick/db/client";
import { runBatch } from "../batch/batch-job";
import { measureLeastPasses } from "../batch/least-passes";
import { FileLakeStore } from "../lake/file-lake-store";
import { createLogger } from "../runtime/logger";

interface ChildInput {
  databaseUrl: string;
  lakeDir: string;
  tmpDir: string;
  day: string;
  memoryLimit: string;
  threads: number;
  /** "least-passes": time DuckDB's least passes over the day instead of billing it. */
  mode?: "batch" | "least-passes";
}

const input = JSON.parse(process.argv[2] ?? "") as ChildInput;
const conn = connectDb(input.databaseUrl, { max: 3 });
const lake = new FileLakeStore(input.lakeDir);
try {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deps = {
    db: conn.db,
    pool: conn.pool,
    lake,
    logger: createLogger("warn"),
    memoryLimit: input.memoryLimit,
    threads: input.threads,
    tmpDir: input.tmpDir,
  };
  const result =
    input.mode === "least-passes"
      ? await measureLeastPasses(deps, input.day)
      : await runBatch(deps, input.day);
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      result,
      wallMs: performance.now() - started,
      cpuS: (used.user + used.system) / 1e6,
      // maxRSS is in KiB: the process's peak resident memory, start-up included.
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    })}\n`,
  );
} finally {
  await conn.close();
  await lake.close();
}
