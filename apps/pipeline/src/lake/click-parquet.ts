import type { ClickRecord, Device } from "@adclick/shared";
import { parquetReadObjects } from "hyparquet";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";

/** A click from the fraud stream: the ClickRecord plus the stream's decision. */
export type FraudClickRecord = ClickRecord & { risk: number; reasons: string[] };

/** Columns of a lake file, in file order. Times are epoch ms (INT64), money integer micros. */
const STRING_COLUMNS = [
  "event_id",
  "partner_id",
  "campaign_id",
  "advertiser_id",
  "ad_id",
  "user_id",
  "ip",
  "user_agent",
] as const;
const NULLABLE_COLUMNS = ["country", "publisher_id", "referrer"] as const;

/**
 * Encodes clicks as one Parquet file (hyparquet-writer, SNAPPY, dictionary
 * pages where they pay), with the lake's columns. The archiver writes with
 * `SegmentWriter` (DuckDB, ~6× faster); this stays for tests and fixtures. With `fraud` the file also holds `risk` and `reasons`
 * (a JSON array).
 */
export function encodeClicks(
  records: readonly ClickRecord[],
  options: { fraud?: boolean } = {},
): Uint8Array {
  const n = records.length;
  const columnData: ColumnSource[] = [];
  for (const name of STRING_COLUMNS) {
    const data = new Array<string>(n);
    for (let i = 0; i < n; i++) data[i] = records[i]![name];
    columnData.push({ name, data, type: "STRING", nullable: false });
  }
  for (const name of ["ts", "received_at", "cost_micros"] as const) {
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = BigInt(records[i]![name]);
    columnData.push({ name, data, type: "INT64", nullable: false });
  }
  const device = new Array<string>(n);
  for (let i = 0; i < n; i++) device[i] = records[i]!.device;
  columnData.push({ name: "device", data: device, type: "STRING", nullable: false });
  for (const name of NULLABLE_COLUMNS) {
    const data = new Array<string | null>(n);
    for (let i = 0; i < n; i++) data[i] = records[i]![name];
    columnData.push({ name, data, type: "STRING" });
  }
  if (options.fraud) {
    const risk = new Float64Array(n);
    const reasons = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const r = records[i] as Partial<FraudClickRecord>;
      risk[i] = r.risk ?? 1;
      reasons[i] = JSON.stringify(r.reasons ?? []);
    }
    columnData.push({ name: "risk", data: risk, type: "DOUBLE", nullable: false });
    columnData.push({ name: "reasons", data: reasons, type: "STRING", nullable: false });
  }
  const buffer = parquetWriteBuffer({
    columnData,
    rowGroupSize: 250_000,
    createdBy: "adclick archiver",
  });
  return new Uint8Array(buffer);
}

/** Reads a lake file back into ClickRecords (with risk/reasons when present). */
export async function decodeClicks(
  file: Uint8Array,
): Promise<Array<ClickRecord & Partial<FraudClickRecord>>> {
  const buffer = file.buffer.slice(
    file.byteOffset,
    file.byteOffset + file.byteLength,
  ) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file: buffer })) as Array<Record<string, unknown>>;
  return rows.map((row) => {
    const record: ClickRecord & Partial<FraudClickRecord> = {
      event_id: String(row.event_id),
      partner_id: String(row.partner_id),
      campaign_id: String(row.campaign_id),
      advertiser_id: String(row.advertiser_id),
      ad_id: String(row.ad_id),
      user_id: String(row.user_id),
      ip: String(row.ip),
      user_agent: String(row.user_agent),
      ts: Number(row.ts),
      received_at: Number(row.received_at),
      country: (row.country as string | null) ?? null,
      device: row.device as Device,
      publisher_id: (row.publisher_id as string | null) ?? null,
      referrer: (row.referrer as string | null) ?? null,
      cost_micros: Number(row.cost_micros),
    };
    if (row.risk !== undefined) record.risk = Number(row.risk);
    if (row.reasons !== undefined) record.reasons = JSON.parse(String(row.reasons)) as string[];
    return record;
  });
}
