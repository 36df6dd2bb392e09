/**
 * The batch bench's ceiling, in a process of its own: the least DuckDB passes
 * any exact batch of the day needs, over the same lake files, with the same
 * threads and memory limit. They are the least dedupe (distinct
 * (partner_id, event_id)), the shipped features (per-minute floods, distinct
 * IPs, agents and users), the labelled sums (each click joined to its agent's
 * and its floods' rows, summed per billed dimension: the batch's classes come
 * from JavaScript, and most IPs are of the default class, which it does not
 * join) and the distinct (campaign_id, user_id) pairs.
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

export const LEAST_PASSES: ReadonlyArray<{ name: string; sql: string[] }> = [
  {
    name: "dedupe",
    sql: ["select count(*) from (select distinct partner_id, event_id from day_raw)"],
  },
  {
    name: "features",
    sql: [
      "create view day_clicks as select * from day_raw",
      ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
    ],
  },
  {
    // Every click joined to its agent's and its floods' labels, summed per dimension.
    name: "labelled sums",
    sql: [
      `select c.campaign_id, c.country, c.device, c.partner_id,
          count(*) filter (where fi.event_id is null and fu.event_id is null and ua.clicks > 0),
          sum(c.cost_micros) filter (where fi.event_id is null and fu.event_id is null)
   from day_clicks c
   left join ua_day ua on ua.user_agent = c.user_agent
   left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
   left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
   group by grouping sets ((c.campaign_id), (c.campaign_id, c.country), (c.campaign_id, c.device),
     (c.campaign_id, c.partner_id))`,
    ],
  },
  {
    name: "distinct pairs",
    sql: ["select count(*) from (select distinct campaign_id, user_id from day_raw)"],
  },
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
const cpuS = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const started = performance.now();
const passes: Record<string, number> = {};
for (const pass of LEAST_PASSES) {
  const cpu0 = cpuS();
  for (const sql of pass.sql) await conn.runAndReadAll(sql);
  passes[pass.name] = Number((cpuS() - cpu0).toFixed(2));
}
conn.closeSync();
await lake.close();
process.stdout.write(
  `${JSON.stringify({
    cpuS: Object.values(passes).reduce((a, b) => a + b, 0),
    wallMs: performance.now() - started,
    passes,
  })}\n`,
);
