import { isoDay } from "@adclick/shared";

/** The two datasets of the lake (C4). */
export type LakeDataset = "raw" | "fraud";

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** `raw/dt=YYYY-MM-DD/hour=HH/` for an event time (UTC). */
export function hourPrefix(dataset: LakeDataset, tsMs: number): string {
  const hour = new Date(tsMs).getUTCHours();
  return `${dataset}/dt=${isoDay(tsMs)}/hour=${pad(hour, 2)}/`;
}

/** `raw/dt=YYYY-MM-DD/` — every hour of one day, late arrivals included. */
export function dayPrefix(dataset: LakeDataset, day: string): string {
  return `${dataset}/dt=${day}/`;
}

/**
 * A data file's key: the hour folder of its events plus the Kafka partition and
 * the offset range of the segment it came from, so the same segment always gets
 * the same name and a rewrite replaces it.
 */
export function segmentFileKey(
  dataset: LakeDataset,
  tsMs: number,
  partition: number,
  firstOffset: string,
  lastOffset: string,
): string {
  return `${hourPrefix(dataset, tsMs)}p${pad(partition, 4)}-${pad20(firstOffset)}-${pad20(lastOffset)}.parquet`;
}

/** Intent records: written before a segment's files, removed once its offsets are committed. */
export function pendingPrefix(dataset: LakeDataset, partition: number): string {
  return `_pending/${dataset}/p${pad(partition, 4)}/`;
}

export function pendingKey(dataset: LakeDataset, partition: number, firstOffset: string): string {
  return `${pendingPrefix(dataset, partition)}${pad20(firstOffset)}.json`;
}

export function pad20(offset: string): string {
  return offset.padStart(20, "0");
}
