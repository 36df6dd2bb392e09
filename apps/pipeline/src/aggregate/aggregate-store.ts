import { type ClickRecord, dayKey, minuteBucket } from "@adclick/shared";
import type { Redis } from "ioredis";
import type { CampaignDelta } from "./counter-deltas";
import { dayExpireAtS } from "./counter-deltas";
import { FLUSH_CAMPAIGN, RATE_RANKS, SEEN_EVENTS } from "./lua";

/** Offset/epoch state of one campaign in one partition; shares the campaign's hash tag (C3). */
export const stateKey = (campaignId: string, topic: string, partition: number) =>
  `aggstate:{${campaignId}}:${topic}:${partition}`;
/** Present while Redis holds the counters of a partition; its loss means a rebuild. */
export const partitionMarkerKey = (topic: string, partition: number) =>
  `aggpartition:${topic}:${partition}`;
/** Hash partition → watermark (max event time seen, epoch ms) for the dashboard. */
export const watermarkKey = (topic: string) => `aggwatermark:${topic}`;
export const epochKey = (groupId: string) => `aggepoch:${groupId}`;
const seenKey = (campaignId: string, tsMs: number) => `seen:{${campaignId}}:${dayKey(tsMs)}`;
const rateKey = (minute: number, kind: "ip" | "user", value: string) =>
  `rate:{${minute}}:${kind}:${value}`;

/** State keys outlive the longest counter (a day key: up to 96 h after its first click). */
export const STATE_TTL_S = 5 * 24 * 3600;
/** Per-minute volume sets are needed while clicks of that minute still arrive. */
const RATE_TTL_S = 15 * 60;

type Script = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;
interface ScriptedRedis {
  aggFlush: Script;
  aggSeen: Script;
  aggRate: Script;
}

export interface Positioned {
  click: ClickRecord;
  offset: number;
}

export interface BatchFeatures {
  markerPresent: boolean;
  /** Stored offset per campaign asked for (null: no state). */
  states: Map<string, number | null>;
  isDuplicate: boolean[];
  ipRank: number[];
  userRank: number[];
}

export type FlushOutcome =
  | { kind: "applied"; offset: number }
  | { kind: "skipped"; offset: number }
  | { kind: "fenced"; offset: number }
  | { kind: "lost" };

/** The aggregator's Redis side: features, atomic flushes, markers and epochs. */
export class AggregateStore {
  private readonly r: Redis & ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly topic: string,
  ) {
    redis.defineCommand("aggFlush", { lua: FLUSH_CAMPAIGN });
    redis.defineCommand("aggSeen", { lua: SEEN_EVENTS });
    redis.defineCommand("aggRate", { lua: RATE_RANKS });
    this.r = redis as Redis & ScriptedRedis;
  }

  /**
   * A fencing epoch for a fresh group membership: strictly greater than every
   * epoch handed out before. Starts from the clock when the counter is missing
   * (a fresh or wiped Redis), so it still exceeds epochs of before the wipe.
   */
  async nextEpoch(groupId: string): Promise<number> {
    const key = epochKey(groupId);
    await this.r.set(key, String(Date.now()), "NX");
    return this.r.incr(key);
  }

  /** One round trip: partition marker, unknown campaign states, duplicates and per-minute ranks. */
  async features(
    partition: number,
    batch: readonly Positioned[],
    unknownCampaigns: readonly string[],
  ): Promise<BatchFeatures> {
    const pipe = this.r.pipeline();
    pipe.exists(partitionMarkerKey(this.topic, partition));
    for (const c of unknownCampaigns) pipe.hget(stateKey(c, this.topic, partition), "offset");

    // Duplicates: one call per campaign and day.
    const seenGroups = new Map<string, { key: string; expireAt: number; idx: number[] }>();
    batch.forEach(({ click }, i) => {
      const key = seenKey(click.campaign_id, click.ts);
      let g = seenGroups.get(key);
      if (!g) {
        g = { key, expireAt: dayExpireAtS(click.ts), idx: [] };
        seenGroups.set(key, g);
      }
      g.idx.push(i);
    });
    for (const g of seenGroups.values()) {
      const args: Array<string | number> = [g.expireAt];
      for (const i of g.idx) args.push(batch[i]!.click.event_id, partition, batch[i]!.offset);
      (pipe as unknown as ScriptedRedis).aggSeen(1, g.key, ...args);
    }

    // Volume ranks: one call per minute, keys of one minute share a hash tag.
    const rateGroups = new Map<
      number,
      {
        keys: Map<string, number>;
        args: Array<string | number>;
        idx: Array<[number, "ip" | "user"]>;
      }
    >();
    batch.forEach(({ click, offset }, i) => {
      const minute = minuteBucket(click.ts);
      let g = rateGroups.get(minute);
      if (!g) {
        g = { keys: new Map(), args: [], idx: [] };
        rateGroups.set(minute, g);
      }
      const member = `${partition}:${offset}`;
      for (const kind of ["ip", "user"] as const) {
        const key = rateKey(minute, kind, kind === "ip" ? click.ip : click.user_id);
        let k = g.keys.get(key);
        if (k === undefined) {
          k = g.keys.size + 1;
          g.keys.set(key, k);
        }
        g.args.push(k, member);
        g.idx.push([i, kind]);
      }
    });
    for (const g of rateGroups.values()) {
      (pipe as unknown as ScriptedRedis).aggRate(
        g.keys.size,
        ...g.keys.keys(),
        RATE_TTL_S,
        ...g.args,
      );
    }

    const results = (await pipe.exec()) ?? [];
    let r = 0;
    const next = (): unknown => {
      const [err, value] = results[r++] ?? [new Error("missing pipeline result"), null];
      if (err) throw err;
      return value;
    };
    const markerPresent = next() === 1;
    const states = new Map<string, number | null>();
    for (const c of unknownCampaigns) {
      const v = next() as string | null;
      states.set(c, v === null ? null : Number(v));
    }
    const isDuplicate = new Array<boolean>(batch.length).fill(false);
    for (const g of seenGroups.values()) {
      const owners = next() as string[];
      g.idx.forEach((i, j) => {
        isDuplicate[i] = owners[j] !== `${partition}:${batch[i]!.offset}`;
      });
    }
    const ipRank = new Array<number>(batch.length).fill(1);
    const userRank = new Array<number>(batch.length).fill(1);
    for (const g of rateGroups.values()) {
      const ranks = next() as number[];
      g.idx.forEach(([i, kind], j) => {
        (kind === "ip" ? ipRank : userRank)[i] = ranks[j] ?? 1;
      });
    }
    return { markerPresent, states, isDuplicate, ipRank, userRank };
  }

  /**
   * One round trip: a flush script per campaign (deltas + offset + epoch,
   * atomic), the partition marker kept only if it still exists, the watermark.
   */
  async flush(
    partition: number,
    epoch: number,
    deltas: ReadonlyArray<{ delta: CampaignDelta; expectState: boolean }>,
    watermarkMs: number | null,
  ): Promise<{ outcomes: Map<string, FlushOutcome>; markerKept: boolean }> {
    const pipe = this.r.pipeline();
    for (const { delta, expectState } of deltas) {
      const keys: string[] = [stateKey(delta.campaignId, this.topic, partition)];
      const args: Array<string | number> = [
        epoch,
        delta.fromOffset,
        delta.toOffset,
        expectState ? 1 : 0,
        STATE_TTL_S,
      ];
      for (const c of delta.counters.values()) {
        keys.push(c.counterKey, c.hllKey);
        args.push(
          c.clicks,
          c.costMicros,
          c.suspicious,
          c.fraud,
          c.expireAtS,
          c.users.size,
          ...c.users,
        );
      }
      (pipe as unknown as ScriptedRedis).aggFlush(keys.length, ...keys, ...args);
    }
    const marker = partitionMarkerKey(this.topic, partition);
    pipe.set(marker, String(Date.now()), "XX");
    if (watermarkMs !== null)
      pipe.hset(watermarkKey(this.topic), String(partition), String(watermarkMs));
    const results = (await pipe.exec()) ?? [];
    const outcomes = new Map<string, FlushOutcome>();
    deltas.forEach(({ delta }, i) => {
      const [err, value] = results[i] ?? [new Error("missing pipeline result"), null];
      if (err) throw err;
      const [code, offset] = (value as [number, number]).map(Number) as [number, number];
      outcomes.set(
        delta.campaignId,
        code === 1
          ? { kind: "applied", offset }
          : code === 0
            ? { kind: "skipped", offset }
            : code === -1
              ? { kind: "fenced", offset }
              : { kind: "lost" },
      );
    });
    const markerResult = results[deltas.length];
    return { outcomes, markerKept: markerResult?.[1] === "OK" };
  }

  /** Marks a partition's counters as present (fresh start or rebuild begun). */
  async setMarker(partition: number): Promise<void> {
    await this.r.set(partitionMarkerKey(this.topic, partition), String(Date.now()));
  }
}
