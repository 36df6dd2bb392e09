import type { ChainableCommander } from "ioredis";
import { keySlot } from "./key-slot";
import { isCluster, type RedisClient } from "./redis-client";

/** One command's reply in a pipeline: its error, or its value. */
export type PipelineReply = [Error | null, unknown];

interface Queued {
  key: string;
  queue: (pipe: ChainableCommander) => void;
}

/**
 * A pipeline whose commands may lie in different hash slots. On one node it is
 * one pipeline in order; on a Redis Cluster it is one pipeline per slot (a
 * cluster pipeline must stay on one node, and slots move in a failover), sent
 * at once. Replies come back in the order the commands were added. Each
 * command (a script, say) stays atomic; the pipeline as a whole is not, and
 * never was: order between slots is not kept.
 */
export class SlotPipeline {
  private readonly commands: Queued[] = [];

  constructor(private readonly redis: RedisClient) {}

  get length(): number {
    return this.commands.length;
  }

  /** Adds one command, run in the slot of `key` (every key it touches must share that slot). */
  add(key: string, queue: (pipe: ChainableCommander) => void): this {
    this.commands.push({ key, queue });
    return this;
  }

  async exec(): Promise<PipelineReply[]> {
    if (this.commands.length === 0) return [];
    if (!isCluster(this.redis)) return runPipeline(this.redis, this.commands);
    const bySlot = new Map<number, number[]>();
    this.commands.forEach((c, i) => {
      const slot = keySlot(c.key);
      const group = bySlot.get(slot);
      if (group) group.push(i);
      else bySlot.set(slot, [i]);
    });
    const out = new Array<PipelineReply>(this.commands.length);
    await Promise.all(
      [...bySlot.values()].map(async (idx) => {
        const replies = await runPipeline(
          this.redis,
          idx.map((i) => this.commands[i]!),
        );
        idx.forEach((i, j) => {
          out[i] = replies[j]!;
        });
      }),
    );
    return out;
  }
}

async function runPipeline(
  redis: RedisClient,
  commands: readonly Queued[],
): Promise<PipelineReply[]> {
  const pipe = redis.pipeline();
  for (const c of commands) {
    const before = pipe.length;
    c.queue(pipe);
    if (pipe.length !== before + 1)
      throw new Error(`a slot pipeline entry must add one command (key ${c.key})`);
  }
  const replies = ((await pipe.exec()) ?? []) as PipelineReply[];
  if (replies.length !== commands.length)
    throw new Error(
      `Redis pipeline returned ${replies.length} replies for ${commands.length} commands`,
    );
  return replies;
}

/** The value of a reply; throws its error. */
export function replyValue(reply: PipelineReply | undefined): unknown {
  if (!reply) throw new Error("missing pipeline reply");
  if (reply[0]) throw reply[0];
  return reply[1];
}
