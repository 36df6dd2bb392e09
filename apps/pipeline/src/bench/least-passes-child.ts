/**
 * The batch bench's ceiling, in a process of its own: the least DuckDB passes
 * any exact batch of the day needs, over the same lake files, with the same
 * threads and memory limit. They are the least dedupe (distinct
 * (partner_id, event_id)), the shipped features (per-minute floods, distinct
 * IPs, agents and users), the sums per billed dimension (without the labelling
 * joins) and the distinct (campaign_id, user_id) pairs of the unique users.
 * Reads its inputs as JSON from argv[2]; prints one JSON line of CPU seconds.
 */
import { join } from "node:path";
import { CLICKS_PER_MINUTE_LIMIT, DAY_MS } from "@adclick/shared";
import { DuckDBInstance } from "@duckdb/node-api";
import { dayLakeFiles } from "../batch/batch-job";
import { createDayRawSql, featuresSql } from "../batch/batch-sql";
import { FileLakeStore } from "../lake/file-lake-store";

interface ChildInput {
  lakeDir: string;
  tmpDir: string;
  day: string;
  memoryLimit: string;
  threads: number;
}

export const LEAST_PASSES_SQL = [
  "select count(*) from (select distinct partner_id, event_id from day_raw)",
  "create view day_clicks as select * from day_raw",
  ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
  `select campaign_id, country, device, partner_id, count(*), sum(cost_micros) from day_raw
   group by grouping sets ((campaign_id), (campaign_id, country), (campaign_id, device), (campaign_id, partner_id))`,
  "select count(*) from (select distinct campaign_id, user_id from day_raw)",
];

const input = JSON.parse(process.argv[2] ?? "") as ChildInput;
const lake = new FileLakeStore(input.lakeDir);
const files = (await dayLakeFiles(lake, input.day)).map((key) => join(input.lakeDir, key));
const dayStartMs = Date.parse(`${input.day}T00:00:00Z`);
const instance = await DuckDBInstance.create(":memory:", {
  memory_limit: input.memoryLimit,
  threads: String(input.threads),
  temp_directory: join(input.tmpDir, "least-passes-spill"),
  preserve_insertion_order: "false",
});
const conn = await instance.connect();
await conn.run(createDayRawSql(files, dayStartMs, dayStartMs + DAY_MS));
const cpu = process.cpuUsage();
const started = performance.now();
for (const sql of LEAST_PASSES_SQL) await conn.runAndReadAll(sql);
const used = process.cpuUsage(cpu);
conn.closeSync();
await lake.close();
process.stdout.write(
  `${JSON.stringify({ cpuS: (used.user + used.system) / 1e6, wallMs: performance.now() - started })}\n`,
);
