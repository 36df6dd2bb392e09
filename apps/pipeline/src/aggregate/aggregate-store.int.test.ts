import { type ClickRecord, minuteBucket } from "@adclick/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickRecord } from "../../../../test/click-record";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { AggregateStore, type Positioned, seenField } from "./aggregate-store";
import { campaignDelta, type ScoredClick } from "./counter-deltas";

// Now: volume keys expire 15 minutes after their minute ends.
const T = Math.floor(Date.now() / 60_000) * 60_000 + 1_000;
const TOPIC = "t.clicks.raw";

let stack: TestStack;
let redis: Redis;

beforeAll(async () => {
  stack = await createTestStack({ database: false });
  redis = new Redis(stack.config.REDIS_URL);
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await stack?.cleanup();
});

const click = (i: number, over: Partial<ClickRecord> = {}): ClickRecord =>
  clickRecord(T, {
    event_id: `e${i}`,
    user_id: `u${i % 7}`,
    ip: `198.51.100.${i % 5}`,
    ...over,
  });

describe("AggregateStore features against Redis", () => {
  it("reads first owners of more ids than one HMGET chunk, in order, and ranks odd user ids exactly", async () => {
    const store = new AggregateStore(redis, TOPIC);
    // 1 200 clicks of one campaign and day: the owner lookup runs in three HMGET chunks.
    const odd = ["", "a\nb", "a\\nb", "\\e", "a\\\nb"];
    const batch: Positioned[] = Array.from({ length: 1200 }, (_, i) => ({
      click: click(i, i % 10 === 0 ? { user_id: odd[(i / 10) % odd.length]! } : {}),
      offset: 100 + i,
    }));
    const seenKey = store.seenKeyOf(batch[0]!.click);
    const registered = [3, 499, 500, 501, 1000, 1199];
    await redis.hset(
      seenKey,
      ...registered.flatMap((i) => [seenField(batch[i]!.click), `0:${100 + i}`]),
    );
    // The same event id from another partner is another click (C1): not its owner.
    await redis.hset(seenKey, `other-partner/e7`, "0:1");

    const owners = await store.seenOwners(batch);
    const f = await store.volumeRanks(0, batch);

    const wantOwners = batch.map((_, i) => (registered.includes(i) ? `0:${100 + i}` : null));
    expect(owners).toEqual(wantOwners);

    // Each click's rank is its place among the clicks of its IP / user so far.
    const seen = new Map<string, number>();
    const rank = (key: string) => {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      return n;
    };
    expect(f.ipRank).toEqual(batch.map((b) => rank(`ip:${b.click.ip}`)));
    expect(f.userRank).toEqual(batch.map((b) => rank(`user:${b.click.user_id}`)));

    // The minute's user hash holds one field per distinct user id, with its count.
    const users = await redis.hgetall(`vol:{${minuteBucket(T)}}:user`);
    const distinctUsers = new Set(batch.map((b) => b.click.user_id));
    expect(Object.keys(users)).toHaveLength(distinctUsers.size);
    expect(Object.values(users).reduce((n, v) => n + Number(v), 0)).toBe(batch.length);

    // A redelivery of the same offsets gets the same ranks back from the journal, and counts nothing again.
    const again = await store.volumeRanks(0, batch);
    expect(again.recalled).toBe(batch.length);
    expect(again.ipRank).toEqual(f.ipRank);
    expect(again.userRank).toEqual(f.userRank);
    const after = await redis.hgetall(`vol:{${minuteBucket(T)}}:user`);
    expect(after).toEqual(users);
  });

  it("counts a minute that ended long ago across batches, as a late flood arrives", async () => {
    const store = new AggregateStore(redis, TOPIC);
    const old = T - 40 * 60_000; // past the minute's 15-minute grace
    const flood = (from: number, n: number): Positioned[] =>
      Array.from({ length: n }, (_, j) => ({
        click: clickRecord(old, {
          event_id: `late${from + j}`,
          ip: "192.0.2.77",
          user_id: `late-u${from + j}`,
        }),
        offset: 5_000 + from + j,
      }));

    const first = await store.volumeRanks(1, flood(0, 60));
    const second = await store.volumeRanks(1, flood(60, 60));

    expect(first.ipRank).toEqual(Array.from({ length: 60 }, (_, j) => j + 1));
    expect(second.ipRank).toEqual(Array.from({ length: 60 }, (_, j) => 61 + j));
    expect(await redis.ttl(`vol:{${minuteBucket(old)}}:ip`)).toBeGreaterThan(0);
  });
});

describe("AggregateStore flush script", () => {
  const scored = (i: number, over: Partial<ClickRecord>, verdict: ScoredClick["verdict"]) => ({
    click: clickRecord(T, { event_id: `f${i}`, campaign_id: "flush-c", ...over }),
    offset: i,
    verdict,
    risk: verdict === "fraud" ? 0.9 : 0,
    reasons: [],
  });
  const flush = async (
    store: AggregateStore,
    clicks: ScoredClick[],
    expectedOffset: number | null,
  ) => {
    const delta = campaignDelta("flush-c", clicks, Date.now() / 1000);
    const { outcomes } = await store.flush(9, 1, [{ delta, expectedOffset, seen: [] }], null, 0);
    expect(outcomes.get("flush-c")).toEqual({ kind: "applied", offset: delta.toOffset });
    return delta;
  };

  it("writes every field of a new counter, and on an existing one only what changed", async () => {
    const store = new AggregateStore(redis, TOPIC);
    // A counter first reached by a fraud click: all five fields, no users yet.
    const first = await flush(store, [scored(1, { user_id: "x" }, "fraud")], null);
    const all = [...first.counters.values()].find((c) => c.counterKey.endsWith(":all"))!;
    const { counterKey, hllKey } = all;
    expect(await redis.hgetall(counterKey)).toEqual({
      clicks: "0",
      cost_micros: "0",
      suspicious: "0",
      fraud: "1",
      unique_users: "0",
    });
    expect(await redis.exists(hllKey)).toBe(0);
    const expireAt = await redis.expiretime(counterKey);
    expect(expireAt).toBe(all.expireAtS);

    // Its first counted clicks create the HLL, which gets the counter's expiry.
    await flush(
      store,
      [scored(2, { user_id: "u-a" }, "clean"), scored(3, { user_id: "u-b" }, "suspicious")],
      1,
    );
    expect(await redis.hgetall(counterKey)).toEqual({
      clicks: "2",
      cost_micros: "200",
      suspicious: "1",
      fraud: "1",
      unique_users: "2",
    });
    expect(await redis.expiretime(hllKey)).toBe(expireAt);

    // A user the HLL already holds leaves unique_users alone (no PFCOUNT, no write): a marker
    // value planted in it survives; and an existing counter's expiry is not written again.
    await redis.hset(counterKey, "unique_users", "planted");
    await redis.persist(counterKey);
    await flush(store, [scored(4, { user_id: "u-a" }, "clean")], 3);
    expect(await redis.hget(counterKey, "unique_users")).toBe("planted");
    expect(await redis.hget(counterKey, "clicks")).toBe("3");
    expect(await redis.ttl(counterKey)).toBe(-1);

    // A new user changes the HLL: unique_users is its count again.
    await flush(store, [scored(5, { user_id: "u-c" }, "clean")], 4);
    expect(await redis.hget(counterKey, "unique_users")).toBe("3");
  });
});

describe("AggregateStore fencing epochs", () => {
  it("an epoch claim delayed past the new owner's cannot take the epoch past it", async () => {
    const store = new AggregateStore(redis, TOPIC);
    const group = "t.aggregator-delayed";
    // Generation 1's leader claims; its members read their epoch.
    const first = await store.claimEpoch(group, await store.epochToken(group), ["a", "b"]);
    expect(await store.memberEpoch(group, "a")).toBe(first);
    // Generation 2's old leader reads the token and sends its claim, which is held up in the
    // network; the group rebalances again and generation 3's leader claims; then the old
    // claim lands.
    const oldToken = await store.epochToken(group);
    const newOwner = await store.claimEpoch(group, await store.epochToken(group), ["b", "c"]);
    const late = await store.claimEpoch(group, oldToken, ["a", "b"]);
    expect(newOwner).toBe(first + 1);
    expect(late).toBe(0);
    // Nothing moved: the new owners keep the highest epoch, the old member keeps its old one.
    expect(await store.epochToken(group)).toBe(String(newOwner));
    expect(await store.memberEpoch(group, "b")).toBe(newOwner);
    expect(await store.memberEpoch(group, "c")).toBe(newOwner);
    expect(await store.memberEpoch(group, "a")).toBe(first);
    // A fresh claim still gets past every epoch so far, and so does a member's own.
    const next = await store.claimEpoch(group, await store.epochToken(group), ["a"]);
    expect(next).toBe(newOwner + 1);
    expect(await store.nextEpoch(group)).toBe(next + 1);
  });

  it("starts a missing counter from the clock, so epochs exceed those of before a wipe", async () => {
    const store = new AggregateStore(redis, TOPIC);
    const before = Date.now();
    const epoch = await store.claimEpoch("t.aggregator-fresh", null, ["m"]);
    expect(epoch).toBeGreaterThan(before);
    expect(epoch).toBeLessThanOrEqual(Date.now() + 1);
  });
});
