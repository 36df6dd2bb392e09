import type { RedisClient as Redis } from "@adclick/shared/redis";

/**
 * The record of an `adclick replay` in Redis: written before the replay deletes
 * anything, its progress moved after every batch, marked done only once the
 * group's offsets point past it. A replay that dies midway leaves it `running`:
 * the aggregator refuses to start on such counters (they have a hole), and the
 * next `adclick replay` says so and redoes it.
 *
 * Hash `aggreplay:<topic>`: state (running | done), from_ms, started_at, and
 * `p<partition>` → `<next offset>/<end offset>`.
 */
export const replayRecordKey = (topic: string) => `aggreplay:${topic}`;

export interface ReplayRecord {
  state: "running" | "done";
  fromMs: number;
  startedAt: string;
  /** partition → [next offset to replay, end offset] */
  progress: Map<number, [number, number]>;
}

export async function readReplayRecord(redis: Redis, topic: string): Promise<ReplayRecord | null> {
  const h = await redis.hgetall(replayRecordKey(topic));
  if (!h.state) return null;
  const progress = new Map<number, [number, number]>();
  for (const [field, value] of Object.entries(h)) {
    const m = /^p(\d+)$/.exec(field);
    const [next, end] = value.split("/").map(Number);
    if (m && next !== undefined && end !== undefined) progress.set(Number(m[1]), [next, end]);
  }
  return {
    state: h.state === "done" ? "done" : "running",
    fromMs: Number(h.from_ms),
    startedAt: h.started_at ?? "",
    progress,
  };
}

export async function beginReplayRecord(
  redis: Redis,
  topic: string,
  fromMs: number,
  plan: ReadonlyArray<{ partition: number; from: number; to: number }>,
): Promise<void> {
  const key = replayRecordKey(topic);
  const fields: string[] = ["state", "running", "from_ms", String(fromMs)];
  fields.push("started_at", new Date().toISOString());
  for (const p of plan) fields.push(`p${p.partition}`, `${p.from}/${p.to}`);
  await redis
    .multi()
    .del(key)
    .hset(key, ...fields)
    .exec();
}

export async function recordReplayProgress(
  redis: Redis,
  topic: string,
  partition: number,
  next: number,
  end: number,
): Promise<void> {
  await redis.hset(replayRecordKey(topic), `p${partition}`, `${next}/${end}`);
}

export async function finishReplayRecord(redis: Redis, topic: string): Promise<void> {
  await redis.hset(
    replayRecordKey(topic),
    "state",
    "done",
    "finished_at",
    new Date().toISOString(),
  );
}

/** One line for an operator: what the unfinished replay covered and how far it got. */
export function describeUnfinished(r: ReplayRecord): string {
  let done = 0;
  let total = 0;
  for (const [next, end] of r.progress.values()) {
    total += end;
    done += Math.min(next, end);
  }
  return `a replay from ${new Date(r.fromMs).toISOString()} (started ${r.startedAt}) did not finish (at ${done} of ${total} offsets)`;
}
