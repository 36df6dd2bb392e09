import { DAY_MS, parseIsoDay } from "@adclick/shared";
import type { Admin } from "kafkajs";

/** C11's default grace after a day's end before its lake may be complete. */
export const LAKE_GRACE_MS = 10 * 60_000;

export interface LakeCompleteness {
  complete: boolean;
  /** Why not, in one line (null when complete). */
  reason: string | null;
}

export interface CompletenessSource {
  admin: Pick<Admin, "listTopics" | "fetchTopicOffsetsByTimestamp" | "fetchOffsets">;
  /** The prefixed clicks.raw topic. */
  topic: string;
  /** The archiver's (prefixed) consumer group. */
  groupId: string;
}

/** The moment after which every message a day's lake needs has been received: its end plus the grace. */
export function lakeCutoffMs(day: string, graceMs = LAKE_GRACE_MS): number {
  return parseIsoDay(day) + DAY_MS + graceMs;
}

/**
 * C11: the lake is complete for `day` when the archiver's committed offset on
 * every partition of clicks.raw has passed every message received (message
 * timestamp) before the day's end plus the grace: the offset of the first
 * message at or after the cutoff, or the partition's end when there is none
 * yet (Kafka answers the end for a timestamp past the last message). Before
 * the cutoff it cannot be complete. A topic that does not exist has received
 * nothing, so the lake is complete.
 */
export async function checkLakeComplete(
  source: CompletenessSource,
  day: string,
  nowMs: number,
  graceMs = LAKE_GRACE_MS,
): Promise<LakeCompleteness> {
  const cutoffMs = lakeCutoffMs(day, graceMs);
  const cutoff = new Date(cutoffMs).toISOString();
  if (nowMs < cutoffMs)
    return { complete: false, reason: `lake incomplete: the day is open until ${cutoff}` };
  // Asked first, so a metadata request never auto-creates the topic.
  if (!(await source.admin.listTopics()).includes(source.topic))
    return { complete: true, reason: null };
  const needed = await source.admin.fetchTopicOffsetsByTimestamp(source.topic, cutoffMs);
  const [committed] = await source.admin.fetchOffsets({
    groupId: source.groupId,
    topics: [source.topic],
  });
  const committedOf = new Map(
    (committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
  );
  const behind = needed
    .map((p) => ({
      partition: p.partition,
      needed: BigInt(p.offset),
      committed: committedOf.get(p.partition) ?? -1n,
    }))
    .filter((p) => p.needed > 0n && p.committed < p.needed)
    .sort((a, b) => a.partition - b.partition);
  if (!behind.length) return { complete: true, reason: null };
  const parts = behind
    .map(
      (p) =>
        `partition ${p.partition} committed ${p.committed < 0n ? "nothing" : p.committed} of ${p.needed}`,
    )
    .join(", ");
  return {
    complete: false,
    reason: `lake incomplete: ${source.topic} ${parts} (messages received before ${cutoff})`,
  };
}
