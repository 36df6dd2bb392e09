import { type ClickRecord, DAY_MS, dayKey, minuteBucket } from "@adclick/shared";
import {
  isCluster,
  type RedisClient,
  replyValue,
  SlotPipeline,
  waitForReplicas,
} from "@adclick/shared/redis";
import type { CampaignDelta } from "./counter-deltas";
import { DistinctValues, scriptField } from "./distinct-values";
import { CLAIM_EPOCH, FLUSH_CAMPAIGN, SEEN_OWNERS, VOLUME_CHUNK } from "./lua";

/** Hash tag of one partition's marker and pending rebuild: one slot, so they change in one transaction. */
const partitionTag = (topic: string, partition: number) => `{${topic}:${partition}}`;
/** Offset/epoch state of one campaign in one partition; shares the campaign's hash tag (C3). */
export const stateKey = (campaignId: string, topic: string, partition: number) =>
  `aggstate:{${campaignId}}:${topic}:${partition}`;
/**
 * Present while Redis holds the counters of a partition; its loss means a rebuild.
 * Holds `o:<offset>`: the partition's counters are complete through that offset
 * (every flush moves it to its batch's last offset). Behind the group's committed
 * offset, Redis came back older than Kafka (a lagging replica, an old snapshot).
 */
export const partitionMarkerKey = (topic: string, partition: number) =>
  `aggpartition:${partitionTag(topic, partition)}`;
/**
 * Present while a rebuild of a partition's counters is decided but its seek not yet
 * committed: the offset to rebuild from. Whoever owns the partition next resumes it.
 */
export const pendingRebuildKey = (topic: string, partition: number) =>
  `aggrebuild:${partitionTag(topic, partition)}`;
/** Hash partition → watermark (max event time seen, epoch ms) for the dashboard. */
export const watermarkKey = (topic: string) => `aggwatermark:${topic}`;
export const epochKey = (groupId: string) => `aggepoch:{${groupId}}`;
/** Member id → the fencing epoch of the generation the member was last assigned in. */
export const memberEpochsKey = (groupId: string) => `aggepoch:{${groupId}}:members`;
export const seenKey = (campaignId: string, tsMs: number) =>
  `seen:{${campaignId}}:${cachedDayKey(tsMs)}`;

/** `dayKey` without formatting a Date per click (the hot path asks for a handful of days). */
const dayKeys = new Map<number, string>();
function cachedDayKey(tsMs: number): string {
  const day = Math.floor(tsMs / DAY_MS);
  let key = dayKeys.get(day);
  if (key === undefined) {
    if (dayKeys.size > 1000) dayKeys.clear();
    key = dayKey(tsMs);
    dayKeys.set(day, key);
  }
  return key;
}
/** Hash value → clicks in the minute, for IPs or users. */
export const volumeKey = (minute: number, kind: "ip" | "user") => `vol:{${minute}}:${kind}`;
export const volumeJournalKey = (minute: number, topic: string, partition: number) =>
  `volj:{${minute}}:${topic}:${partition}`;

/** Member epochs are read right after the claim; a week covers any member that stays idle. */
const MEMBER_EPOCHS_TTL_S = 7 * 24 * 3600;
/** State keys outlive the longest counter (a day key: up to 96 h after its first click). */
export const STATE_TTL_S = 5 * 24 * 3600;
/**
 * Per-minute volume counters and journals live this long after their minute
 * ends, or after their last write when that is later: clicks that arrive late
 * still find them, and a minute counted long after it ended (a late flood, a
 * lagging consumer) is counted across batches rather than from zero each time.
 */
const VOLUME_GRACE_S = 15 * 60;

type Script = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;
interface ScriptedRedis {
  aggClaimEpoch: Script;
  aggFlush: Script;
  aggVolume: Script;
  aggSeen: Script;
}

export interface Positioned {
  click: ClickRecord;
  offset: number;
}

export interface PartitionState {
  markerPresent: boolean;
  /** The offset the marker says the counters are complete through (null: absent, or an old-style marker). */
  markerOffset: number | null;
  /** Offset a decided rebuild starts from, until consumption has gone back there. */
  pendingRebuildFrom: number | null;
  /** Stored offset per campaign asked for (null: no state). */
  states: Map<string, number | null>;
}

export interface VolumeRanks {
  ipRank: number[];
  userRank: number[];
  /** Clicks whose volume answers came back from a journal (redelivered). */
  recalled: number;
}

export interface SeenWrite {
  key: string;
  expireAt: number;
  /** `id,position;id,position;…` (event ids are `[A-Za-z0-9_-]`) */
  entries: string;
}

export type FlushOutcome =
  | { kind: "applied"; offset: number }
  | { kind: "skipped"; offset: number }
  | { kind: "fenced"; offset: number }
  | { kind: "lost" };

/** Clicks of one batch in one UTC minute: one volume chunk. */
interface MinuteGroup {
  minute: number;
  idx: number[];
}

/** The aggregator's Redis side: features, atomic flushes, markers and epochs. */
export class AggregateStore {
  private readonly r: RedisClient & ScriptedRedis;

  constructor(
    redis: RedisClient,
    private readonly topic: string,
  ) {
    redis.defineCommand("aggClaimEpoch", { lua: CLAIM_EPOCH });
    redis.defineCommand("aggFlush", { lua: FLUSH_CAMPAIGN });
    redis.defineCommand("aggVolume", { lua: VOLUME_CHUNK });
    redis.defineCommand("aggSeen", { lua: SEEN_OWNERS });
    this.r = redis as RedisClient & ScriptedRedis;
  }

  /** The seen key a click's idempotency pair is registered in. */
  seenKeyOf(click: ClickRecord): string {
    return seenKey(click.campaign_id, click.ts);
  }

  /**
   * The claim token: the epoch counter as it is now (null: missing). A
   * generation's leader reads it when it starts assigning, then claims with it.
   */
  async epochToken(groupId: string): Promise<string | null> {
    return this.r.get(epochKey(groupId));
  }

  /**
   * Claims the fencing epoch of a new generation for its members, compare-and-set
   * on `token`: greater than every epoch handed out before, or 0 when the counter
   * moved since `token` was read (a newer generation's leader claimed first; this
   * claim arrived late and changes nothing).
   */
  async claimEpoch(
    groupId: string,
    token: string | null,
    memberIds: readonly string[],
  ): Promise<number> {
    return Number(
      await this.r.aggClaimEpoch(
        2,
        epochKey(groupId),
        memberEpochsKey(groupId),
        token ?? "",
        Date.now(),
        MEMBER_EPOCHS_TTL_S,
        ...memberIds,
      ),
    );
  }

  /** The epoch the member's latest generation was claimed with (null: none recorded). */
  async memberEpoch(groupId: string, memberId: string): Promise<number | null> {
    const v = await this.r.hget(memberEpochsKey(groupId), memberId);
    return v === null ? null : Number(v);
  }

  /**
   * An epoch of its own, for a member whose generation recorded none (Redis lost
   * the member hash) and for `adclick replay`: greater than every epoch so far.
   * Starts from the clock when the counter is missing.
   */
  async nextEpoch(groupId: string): Promise<number> {
    const key = epochKey(groupId);
    await this.r.set(key, String(Date.now()), "NX");
    return this.r.incr(key);
  }

  /** One round trip: the partition marker, a pending rebuild, and the offset states of campaigns not seen yet. */
  async partitionState(
    partition: number,
    unknownCampaigns: readonly string[],
  ): Promise<PartitionState> {
    const pipe = new SlotPipeline(this.r);
    const marker = partitionMarkerKey(this.topic, partition);
    const pending = pendingRebuildKey(this.topic, partition);
    pipe.add(marker, (p) => p.get(marker));
    pipe.add(pending, (p) => p.get(pending));
    for (const c of unknownCampaigns) {
      const key = stateKey(c, this.topic, partition);
      pipe.add(key, (p) => p.hget(key, "offset"));
    }
    const results = await pipe.exec();
    const value = (i: number): unknown => replyValue(results[i]);
    const states = new Map<string, number | null>();
    unknownCampaigns.forEach((c, i) => {
      const v = value(i + 2) as string | null;
      states.set(c, v === null ? null : Number(v));
    });
    const pendingFrom = value(1) as string | null;
    const markerValue = value(0) as string | null;
    return {
      markerPresent: markerValue !== null,
      markerOffset: markerValue?.startsWith("o:") ? Number(markerValue.slice(2)) : null,
      pendingRebuildFrom: pendingFrom === null ? null : Number(pendingFrom),
      states,
    };
  }

  /**
   * The first copy of each click's idempotency pair (`partition:offset`, or null)
   * from `seen:` in one round trip: one script call per campaign and day.
   */
  async seenOwners(batch: readonly Positioned[]): Promise<Array<string | null>> {
    const pipe = new SlotPipeline(this.r);
    const seenGroups = new Map<string, number[]>();
    for (let i = 0; i < batch.length; i++) {
      const key = seenKey(batch[i]!.click.campaign_id, batch[i]!.click.ts);
      let g = seenGroups.get(key);
      if (!g) {
        g = [];
        seenGroups.set(key, g);
      }
      g.push(i);
    }
    for (const [key, idx] of seenGroups) {
      let ids = seenField(batch[idx[0]!]!.click);
      for (let j = 1; j < idx.length; j++) ids += `,${seenField(batch[idx[j]!]!.click)}`;
      pipe.add(key, (p) => (p as unknown as ScriptedRedis).aggSeen(1, key, ids));
    }
    const results = await pipe.exec();
    const seenOwner = new Array<string | null>(batch.length).fill(null);
    let r = 0;
    for (const idx of seenGroups.values()) {
      const [err, value] = results[r++] ?? [new Error("missing pipeline result"), null];
      if (err) throw err;
      const owners = value as Array<string | null>;
      for (let j = 0; j < idx.length; j++) seenOwner[idx[j]!] = owners[j] ?? null;
    }
    return seenOwner;
  }

  /**
   * Each click's rank in its per-minute IP and user volume, in one round trip
   * (plus one per minute whose journal shows a redelivery). Duplicates are not
   * clicks: the caller leaves them out.
   */
  async volumeRanks(partition: number, batch: readonly Positioned[]): Promise<VolumeRanks> {
    const minutes = new Map<number, MinuteGroup>();
    for (let i = 0; i < batch.length; i++) {
      const minute = minuteBucket(batch[i]!.click.ts);
      let m = minutes.get(minute);
      if (!m) {
        m = { minute, idx: [] };
        minutes.set(minute, m);
      }
      m.idx.push(i);
    }
    const ipRank = new Array<number>(batch.length).fill(1);
    const userRank = new Array<number>(batch.length).fill(1);
    if (batch.length === 0) return { ipRank, userRank, recalled: 0 };
    const pipe = new SlotPipeline(this.r);
    const chunks = [...minutes.values()].map((m) => this.volumeCall(partition, batch, m, null));
    for (const c of chunks)
      pipe.add(c.keys[0]!, (p) =>
        (p as unknown as ScriptedRedis).aggVolume(c.keys.length, ...c.keys, ...c.args),
      );

    const results = await pipe.exec();
    let r = 0;
    const next = (): unknown => {
      const [err, value] = results[r++] ?? [new Error("missing pipeline result"), null];
      if (err) throw err;
      return value;
    };
    let recalled = 0;
    for (const chunk of chunks) {
      let reply = next() as Array<number | string>;
      let call = chunk;
      for (let attempt = 0; ; attempt++) {
        if (Number(reply[0]) === 1) {
          call.assign(reply.slice(1).map(Number), ipRank, userRank);
          break;
        }
        // Redelivery: the journal has some of these clicks; take their answers, count the rest
        // (only if the journal has not moved since: then no one else counted them meanwhile).
        const chunksSeen = Number(reply[1]);
        const known = parseJournal(reply.slice(2) as string[]);
        const rest: number[] = [];
        for (const i of call.group.idx) {
          const answer = known.get(batch[i]!.offset);
          if (answer) {
            ipRank[i] = answer[0];
            userRank[i] = answer[1];
            recalled++;
          } else rest.push(i);
        }
        if (rest.length === 0) break;
        if (attempt > 3) throw new Error("volume journal kept moving; retrying the batch");
        call = this.volumeCall(
          partition,
          batch,
          { minute: call.group.minute, idx: rest },
          chunksSeen,
        );
        reply = (await this.r.aggVolume(call.keys.length, ...call.keys, ...call.args)) as Array<
          number | string
        >;
      }
    }
    return { ipRank, userRank, recalled };
  }

  /** The script call for one minute's clicks: distinct IPs and users, their counts, packed clicks. */
  private volumeCall(
    partition: number,
    batch: readonly Positioned[],
    group: MinuteGroup,
    /** null on a first call; else the journal's chunk count when the caller read it. */
    chunksSeen: number | null,
  ) {
    const ips = new DistinctValues();
    const users = new DistinctValues();
    const n = group.idx.length;
    const ipIdx = new Array<number>(n);
    const userIdx = new Array<number>(n);
    for (let j = 0; j < n; j++) {
      const click = batch[group.idx[j]!]!.click;
      ipIdx[j] = ips.add(click.ip);
      userIdx[j] = users.add(click.user_id);
    }
    // Indexes run over the IPs, then the users: the order of the bases the script returns.
    const userBase = ips.counts.length;
    let packed = "";
    for (let j = 0; j < n; j++) {
      userIdx[j]! += userBase;
      packed += `${j ? ";" : ""}${batch[group.idx[j]!]!.offset},${ipIdx[j]},${userIdx[j]}`;
    }
    const keys = [
      volumeJournalKey(group.minute, this.topic, partition),
      volumeKey(group.minute, "ip"),
      volumeKey(group.minute, "user"),
    ];
    const first = batch[group.idx[0]!]!.offset;
    const last = batch[group.idx[n - 1]!]!.offset;
    const args: Array<string | number> = [
      Math.max((group.minute + 1) * 60, Math.floor(Date.now() / 1000)) + VOLUME_GRACE_S,
      first,
      last,
      chunksSeen === null ? "" : chunksSeen,
      packed,
      ips.packed,
      users.packed,
      ips.counts.join(","),
      users.counts.join(","),
    ];
    return {
      group,
      keys,
      args,
      /** Ranks from the bases the script returned: base + place among this chunk's clicks of the value. */
      assign(bases: number[], ipRank: number[], userRank: number[]) {
        const seen = bases.slice();
        for (let j = 0; j < n; j++) {
          const i = group.idx[j]!;
          ipRank[i] = ++seen[ipIdx[j]!]!;
          userRank[i] = ++seen[userIdx[j]!]!;
        }
      },
    };
  }

  /**
   * One round trip: a flush script per campaign (deltas + offset + epoch,
   * atomic), the partition marker kept only if it still exists, the watermark.
   */
  async flush(
    partition: number,
    epoch: number,
    deltas: ReadonlyArray<{
      delta: CampaignDelta;
      /** The campaign's stored offset as the caller last knew it (null: none): less in Redis means a loss. */
      expectedOffset: number | null;
      seen: SeenWrite[];
    }>,
    watermarkMs: number | null,
    /** The batch's last offset: the marker moves there (only if it still exists). */
    throughOffset: number,
  ): Promise<{ outcomes: Map<string, FlushOutcome>; markerKept: boolean }> {
    const pipe = new SlotPipeline(this.r);
    for (const { delta, expectedOffset, seen } of deltas) {
      const keys: string[] = [stateKey(delta.campaignId, this.topic, partition)];
      const args: Array<string | number> = [
        epoch,
        delta.fromOffset,
        delta.toOffset,
        expectedOffset === null ? "" : expectedOffset,
        STATE_TTL_S,
        seen.length,
      ];
      for (const w of seen) {
        keys.push(w.key);
        args.push(w.expireAt, w.entries);
      }
      for (const c of delta.counters.values()) {
        keys.push(c.counterKey, c.hllKey);
        args.push(c.clicks, c.costMicros, c.suspicious, c.fraud, c.expireAtS, packUsers(c.users));
      }
      pipe.add(keys[0]!, (p) =>
        (p as unknown as ScriptedRedis).aggFlush(keys.length, ...keys, ...args),
      );
    }
    // On one node the marker follows the flushes in the same pipeline; on a
    // cluster they lie in other slots, so it moves only once they are done.
    const tail = isCluster(this.r) ? new SlotPipeline(this.r) : pipe;
    const marker = partitionMarkerKey(this.topic, partition);
    tail.add(marker, (p) => p.set(marker, `o:${throughOffset}`, "XX"));
    const watermarks = watermarkKey(this.topic);
    if (watermarkMs !== null)
      tail.add(watermarks, (p) => p.hset(watermarks, String(partition), String(watermarkMs)));
    const results = await pipe.exec();
    if (tail !== pipe) {
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
      results.push(...(await tail.exec()));
    }
    // The caller commits the batch's offsets next: on a cluster, make the writes survive a failover first.
    await waitForReplicas(this.r);
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

  /**
   * Marks a partition's counters as present and complete through `throughOffset`
   * (where its consumption now starts, less one: a fresh start, a replay, or a
   * rebuild that has gone back to its start offset): clears any pending rebuild.
   */
  async setMarker(partition: number, throughOffset: number): Promise<void> {
    await this.r
      .multi()
      .set(partitionMarkerKey(this.topic, partition), `o:${throughOffset}`)
      .del(pendingRebuildKey(this.topic, partition))
      .exec();
    await waitForReplicas(this.r);
  }

  /** Moves an existing marker to `throughOffset` (a batch that had nothing to flush). */
  async advanceMarker(partition: number, throughOffset: number): Promise<void> {
    await this.r.set(partitionMarkerKey(this.topic, partition), `o:${throughOffset}`, "XX");
  }

  /**
   * Records a rebuild from `fromOffset` before the consumer seeks there. Until
   * consumption is back at that offset (see `setMarker`), any owner of the
   * partition seeks there first, so dying between this and the seek's commit
   * cannot leave the counters with a hole.
   */
  async beginRebuild(partition: number, fromOffset: number): Promise<void> {
    await this.r
      .multi()
      .set(pendingRebuildKey(this.topic, partition), String(fromOffset), "EX", STATE_TTL_S)
      .set(partitionMarkerKey(this.topic, partition), `o:${fromOffset - 1}`)
      .exec();
    await waitForReplicas(this.r);
  }
}

/** The field of an idempotency pair (C1) in a `seen:` hash: partner ids and event ids hold no `/`, `,` or `;`. */
export function seenField(click: { partner_id: string; event_id: string }): string {
  return `${click.partner_id}/${click.event_id}`;
}

/** offset → [ipRank, userRank] from a volume journal's records. */
function parseJournal(records: readonly string[]): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const record of records) {
    const bar = record.indexOf("|");
    if (bar < 0) continue;
    const bases = record.slice(0, bar).split(",").map(Number);
    for (const entry of record.slice(bar + 1).split(";")) {
      const [o, ki, ku] = entry.split(",").map(Number) as [number, number, number];
      const ip = ++bases[ki]!;
      const user = ++bases[ku]!;
      out.set(o, [ip, user]);
    }
  }
  return out;
}

/** User ids, one per line, for the flush script's PFADD. */
function packUsers(users: ReadonlySet<string>): string {
  let out = "";
  for (const u of users) out += out ? `\n${scriptField(u)}` : scriptField(u);
  return out;
}
