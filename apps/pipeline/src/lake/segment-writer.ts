import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { eventHourHint, HOUR_MS, hourStartOf } from "./event-hour-hint";

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
 * Parquet writer encodes them (SNAPPY, dictionary pages where they pay); the
 * only per-event work in JavaScript is reading each value's hour from its
 * bytes to group the segment by hour. Files keep the columns and order of
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
  /** Scratch for writing a segment's NDJSON (allocated once: fresh memory is slow to touch). */
  private readonly chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
  private busy = false;

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
    // One segment at a time: they share the scratch buffer and the DuckDB connection.
    if (this.busy) throw new Error("SegmentWriter.encode called while another encode runs");
    this.busy = true;
    try {
      const conn = await this.connection();
      const hours = groupByHourHint(values);
      if (hours.lines === 0) return { files: [], events: 0, malformed: values.length };
      const files =
        (hours.byHour && (await this.encodeHours(conn, hours.byHour, options))) ??
        (await this.encodePartitioned(conn, values, options));
      const events = files.reduce((sum, f) => sum + f.events, 0);
      return { files, events, malformed: values.length - events };
    } finally {
      this.busy = false;
    }
  }

  /**
   * The usual case: every value names its hour plainly, so each hour's values
   * become one file with a plain COPY (DuckDB's PARTITION_BY costs as much
   * again as the rest of the write). The event-time range DuckDB reports for
   * each file is checked: if any time lies outside its hour (a value the hint
   * misread), null, and the segment is written by `encodePartitioned` instead.
   */
  private async encodeHours(
    conn: DuckDBConnection,
    byHour: Map<number, Buffer[]>,
    options: { fraud?: boolean },
  ): Promise<SegmentFile[] | null> {
    const files: SegmentFile[] = [];
    for (const [hourStartMs, lines] of [...byHour].sort((a, b) => a[0] - b[0])) {
      const seq = ++this.sequence;
      const input = join(this.scratch, `segment-${seq}.ndjson`);
      const output = join(this.scratch, `segment-${seq}.parquet`);
      try {
        await writeLines(input, lines, this.chunk);
        const reader = await conn.runAndReadAll(
          `copy (${selectClicks(input, options)}) to ${literal(output)} (${PARQUET_OPTIONS}, return_stats)`,
        );
        const [stat] = reader.getRowObjectsJS() as unknown as CopyStats[];
        const events = Number(stat?.count ?? 0);
        if (events === 0) continue;
        const ts = columnStats(stat!, "ts");
        if (hourStartOf(ts.min) !== hourStartMs || hourStartOf(ts.max) !== hourStartMs) return null;
        files.push({ hourStartMs, events, body: await readFile(output) });
      } finally {
        await rm(input, { force: true });
        await rm(output, { force: true });
      }
    }
    return files;
  }

  /** Any segment: one pass that parses, splits by event hour and encodes. */
  private async encodePartitioned(
    conn: DuckDBConnection,
    values: readonly (Buffer | null)[],
    options: { fraud?: boolean },
  ): Promise<SegmentFile[]> {
    const seq = ++this.sequence;
    const input = join(this.scratch, `segment-${seq}.ndjson`);
    const outDir = join(this.scratch, `segment-${seq}`);
    const lines = values.filter((v): v is Buffer => v !== null && v.length > 0);
    // One thread keeps Kafka order and one file per hour.
    try {
      await writeLines(input, lines, this.chunk);
      const stats = (
        await conn.runAndReadAll(`copy (
  select *, ts // ${HOUR_MS} as hour from (${selectClicks(input, options)})
) to ${literal(outDir)} (${PARQUET_OPTIONS}, partition_by (hour), return_stats)`)
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
      return files;
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

/**
 * A column with more distinct values in a row group than `dictionary_size_limit`
 * is written plain. The default limit (a fraction of the row group) had the writer
 * hash ids, user ids and IPs for a dictionary it then dropped: 5 000 keeps the
 * dictionaries that pay (campaigns, partners, countries, up to thousands of user
 * agents) and made the encode ~20% cheaper at the same size.
 */
const PARQUET_OPTIONS =
  "format parquet, compression snappy, row_group_size 250000, dictionary_size_limit 5000";

/** A row of `COPY … (return_stats)`: MAP values come back as key/value lists. */
interface CopyStats {
  count: bigint;
  column_statistics: Array<{ key: string; value: Array<{ key: string; value: string }> }>;
}

/** min/max of a BIGINT column from the statistics DuckDB computed while writing the file. */
function columnStats(stat: CopyStats, column: string): { min: number; max: number } {
  const entries = stat.column_statistics.find((c) => c.key === `"${column}"`)?.value;
  const read = (key: string) => {
    const v = entries?.find((e) => e.key === key)?.value;
    if (v === undefined) throw new Error(`DuckDB returned no ${key} statistic for ${column}`);
    return Number(v);
  };
  return { min: read("min"), max: read("max") };
}

/** The lake columns of an NDJSON file of clicks; lines that are not clicks are left out. */
function selectClicks(input: string, options: { fraud?: boolean }): string {
  const columns = options.fraud ? [...RAW_COLUMNS, ...FRAUD_COLUMNS] : RAW_COLUMNS;
  const select: string[] = RAW_COLUMNS.map(([name]) => name);
  if (options.fraud) {
    select.push("coalesce(risk, 1) as risk", "coalesce(cast(reasons as varchar), '[]') as reasons");
  }
  return `select ${select.join(", ")}
  from read_json(${literal(input)}, format = 'newline_delimited', ignore_errors = true,
    auto_detect = false, maximum_object_size = 16777216,
    columns = {${columns.map(([name, type]) => `${name}: '${type}'`).join(", ")}})
  where event_id is not null and campaign_id is not null and ts is not null`;
}

/**
 * The non-empty values grouped by the hour their bytes name, in Kafka order;
 * `byHour` is null when some value names none plainly.
 */
function groupByHourHint(values: readonly (Buffer | null)[]): {
  byHour: Map<number, Buffer[]> | null;
  lines: number;
} {
  let byHour: Map<number, Buffer[]> | null = new Map();
  let lines = 0;
  for (const value of values) {
    if (!value || value.length === 0) continue;
    lines++;
    if (!byHour) continue;
    const hour = eventHourHint(value);
    if (hour === null) {
      byHour = null;
      continue;
    }
    let group = byHour.get(hour);
    if (!group) {
      group = [];
      byHour.set(hour, group);
    }
    group.push(value);
  }
  return { byHour, lines };
}

/**
 * Writes the values one per line (a raw newline can only be JSON whitespace,
 * as inside strings it is invalid: it becomes a space). Copies them through
 * one reused buffer: a write per value (or a writev of them all) costs three
 * times as much CPU.
 */
async function writeLines(path: string, values: readonly Buffer[], chunk: Buffer): Promise<void> {
  const handle = await open(path, "w");
  try {
    let used = 0;
    for (const value of values) {
      if (used + value.length + 1 > chunk.length) {
        await writeAll(handle, chunk, used);
        used = 0;
        if (value.length + 1 > chunk.length) {
          await handle.writev([oneLine(value), NEWLINE]);
          continue;
        }
      }
      used += oneLine(value).copy(chunk, used);
      chunk[used++] = 10;
    }
    await writeAll(handle, chunk, used);
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, length: number): Promise<void> {
  for (let done = 0; done < length; )
    done += (await handle.write(buffer, done, length - done)).bytesWritten;
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
