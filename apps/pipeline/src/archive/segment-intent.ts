/**
 * Intent records and writer-owned file names of the archiver (C4).
 *
 * Before a segment's files are written, an intent record lists them; the
 * offset commit that follows carries the writer's id as its metadata. A
 * segment's files and record carry that id, so two writers of one offset range
 * (a zombie and the partition's new owner) never share a name: neither can
 * overwrite or remove the other's files. The name stays deterministic from what
 * the file holds (partition, offset range) plus who wrote it.
 */
import { z } from "zod";
import { type LakeDataset, pendingKey, segmentFileKey } from "../lake/lake-layout";

export const PendingSegment = z.object({
  topic: z.string(),
  partition: z.number().int(),
  firstOffset: z.string(),
  lastOffset: z.string(),
  /** The writer's id (absent in records from before writers had ids). */
  writer: z.string().optional(),
  files: z.array(z.string()),
});
export type PendingSegment = z.infer<typeof PendingSegment>;

/** Offset-commit metadata naming the segment (by its writer id) that the offset completes. */
export function commitMetadata(writer: string): string {
  return `archiver:${writer}`;
}

export function writerFileKey(
  dataset: LakeDataset,
  hourStartMs: number,
  partition: number,
  firstOffset: string,
  lastOffset: string,
  writer: string,
): string {
  return segmentFileKey(dataset, hourStartMs, partition, firstOffset, lastOffset).replace(
    /\.parquet$/,
    `-${writer}.parquet`,
  );
}

export function writerPendingKey(
  dataset: LakeDataset,
  partition: number,
  firstOffset: string,
  writer: string,
): string {
  return pendingKey(dataset, partition, firstOffset).replace(/\.json$/, `-${writer}.json`);
}

/**
 * Whether a segment left behind with its intent record was committed, decided
 * by what the group's committed offset says: the commit that completes a
 * segment carries its writer's id, and no writer commits past a segment of its
 * own before that segment's record is gone. So a record is committed exactly
 * when the committed offset is its end and names its writer; any other record
 * (a failed or refused commit, a zombie's, a crash before committing) is
 * superseded: its files go, its events are consumed again.
 */
export function isCommitted(
  pending: PendingSegment,
  committed: { offset: bigint | null; metadata: string | null },
): boolean {
  if (pending.writer === undefined) {
    // Records from before writer ids: a segment starting below the committed offset was committed.
    return committed.offset !== null && BigInt(pending.firstOffset) < committed.offset;
  }
  return (
    committed.offset === BigInt(pending.lastOffset) + 1n &&
    committed.metadata === commitMetadata(pending.writer)
  );
}
