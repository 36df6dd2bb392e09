import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** One Parquet file of a segment: the events of one event-time hour, in Kafka order. */
export interface SegmentFile {
  /** Start of the hour (epoch ms, UTC); the file's key comes from it. */
  hourStartMs: number;
  events: number;
  body: Uint8Array;
}

export interface EncodedSegment {
  files: SegmentFile[];
  /** Messages written (every JSON click with a string event_id and campaign_id and a numeric ts). */
  events: number;
  /** Messages skipped: not JSON, or without those fields. */
  malformed: number;
}

const HOUR_MS = 3_600_000;
const NEWLINE = Buffer.from("\n");

/** Lake columns, in file order, as read_json types. Times are epoch ms, money integer micros. */
const RAW_COLUMNS = [
  ["event_id", "VARCHAR"],
  ["partner_id", "VARCHAR"],
  ["campaign_id", "VARCHAR"],
  ["advertiser_id", "VARCHAR"],
  ["ad_id", "VARCHAR"],
  ["user_id", "VARCHAR"],
  ["ip", "VARCHAR"],
  ["user_agent", "VARCHAR"],
  ["ts", "BIGINT"],
  ["received_at", "BIGINT"],
  ["cost_micros", "BIGINT"],
  ["device", "VARCHAR"],
  ["country", "VARCHAR"],
  ["publisher_id", "VARCHAR"],
  ["referrer", "VARCHAR"],
] as const;
const FRAUD_COLUMNS = [
  ["risk", "DOUBLE"],
  ["reasons", "JSON"],
] as const;

/**
 * Turns a segment's Kafka values (JSON clicks) into one Parquet file per
 * event-time hour with DuckDB: its JSON reader parses the values and its
 * Parquet writer encodes them (SNAPPY, dictionary pages where they pay), so no
 * per-event work happens in JavaScript. Files keep the columns and order of
 * `encodeClicks`; with `fraud`, `risk` (DOUBLE, 1 when missing) and `reasons`
 * (a JSON array as text) follow.
 */
export class SegmentWriter {
  private instance: DuckDBInstance | null = null;
  private conn: DuckDBConnection | null = null;
  private readonly scratch: string;

  constructor(opts: { tmpDir?: string; memoryLimit?: string } = {}) {
    this.scratch = join(opts.tmpDir ?? tmpdir(), `adclick-segments-${randomUUID()}`);
    this.settings = {
      threads: "1",
      memory_limit: opts.memoryLimit ?? "1GB",
    };
  }

  private readonly settings: Record<string, string>;
  private sequence = 0;

  private async connection(): Promise<DuckDBConnection> {
    if (this.conn) return this.conn;
    await mkdir(join(this.scratch, "spill"), { recursive: true });
    this.instance = await DuckDBInstance.create(":memory:", {
      ...this.settings,
      temp_directory: join(this.scratch, "spill"),
    });
    this.conn = await this.instance.connect();
    return this.conn;
  }

  async encode(
    values: readonly (Buffer | null)[],
    options: { fraud?: boolean } = {},
  ): Promise<EncodedSegment> {
    const conn = await this.connection();
    const input = join(this.scratch, `segment-${++this.sequence}.ndjson`);
    const parts: Buffer[] = [];
    let lines = 0;
    for (const value of values) {
      if (!value || value.length === 0) continue;
      // One value per line: a raw newline can only be JSON whitespace (inside strings it is invalid anyway).
      parts.push(oneLine(value), NEWLINE);
      lines++;
    }
    if (lines === 0) return { files: [], events: 0, malformed: values.length };
    const handle = await open(input, "w");
    try {
      await handle.writev(parts);
    } finally {
      await handle.close();
    }
    const columns = options.fraud ? [...RAW_COLUMNS, ...FRAUD_COLUMNS] : RAW_COLUMNS;
    const select: string[] = RAW_COLUMNS.map(([name]) => name);
    if (options.fraud) {
      select.push(
        "coalesce(risk, 1) as risk",
        "coalesce(cast(reasons as varchar), '[]') as reasons",
      );
    }
    const outDir = join(this.scratch, `segment-${this.sequence}`);
    // One pass: parse, split by event hour, encode. One thread keeps Kafka order and one file per hour.
    try {
      const stats = (
        await conn.runAndReadAll(`copy (
  select ${select.join(", ")}, ts // ${HOUR_MS} as hour
  from read_json(${literal(input)}, format = 'newline_delimited', ignore_errors = true,
    auto_detect = false, maximum_object_size = 16777216,
    columns = {${columns.map(([name, type]) => `${name}: '${type}'`).join(", ")}})
  where event_id is not null and campaign_id is not null and ts is not null
) to ${literal(outDir)} (format parquet, compression snappy, row_group_size 250000,
  partition_by (hour), return_stats)`)
      ).getRowObjectsJS() as Array<{ filename: string; count: bigint }>;
      const files: SegmentFile[] = [];
      for (const stat of stats.sort((a, b) => a.filename.localeCompare(b.filename))) {
        const hour = /hour=(-?\d+)/.exec(stat.filename)?.[1];
        if (hour === undefined) throw new Error(`unexpected segment file ${stat.filename}`);
        const hourStartMs = Number(hour) * HOUR_MS;
        if (files.some((f) => f.hourStartMs === hourStartMs)) {
          throw new Error(
            `DuckDB wrote two files for hour ${hour}; the segment writer needs threads = 1`,
          );
        }
        files.push({
          hourStartMs,
          events: Number(stat.count),
          body: await readFile(stat.filename),
        });
      }
      const events = files.reduce((sum, f) => sum + f.events, 0);
      return { files, events, malformed: values.length - events };
    } finally {
      await rm(outDir, { recursive: true, force: true });
      await rm(input, { force: true });
    }
  }

  async close(): Promise<void> {
    this.conn?.closeSync();
    this.instance?.closeSync();
    this.conn = null;
    this.instance = null;
    await rm(this.scratch, { recursive: true, force: true });
  }
}

/** The value with raw newlines (JSON whitespace outside strings, invalid inside) turned into spaces. */
function oneLine(value: Buffer): Buffer {
  if (!value.includes(10)) return value;
  const copy = Buffer.from(value);
  for (let i = copy.indexOf(10); i !== -1; i = copy.indexOf(10, i + 1)) copy[i] = 32;
  return copy;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
