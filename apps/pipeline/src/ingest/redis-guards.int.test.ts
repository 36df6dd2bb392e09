/** The ingest's admission script against a real Redis: tokens and claims in one call (C1). */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import {
  IDEMPOTENCY_TTL_SECONDS,
  PENDING_TTL_MS,
  RedisGuards,
  rateLimitKey,
  seenKey,
} from "./redis-guards";

let stack: TestStack;
let redis: Redis;
let guards: RedisGuards;

beforeAll(async () => {
  stack = await createTestStack({ database: false });
  redis = new Redis(stack.config.REDIS_URL);
  guards = new RedisGuards(redis);
});

afterAll(async () => {
  await redis?.quit();
  await stack?.cleanup();
});

const tokensOf = async (partner: string) =>
  Number(await redis.hget(rateLimitKey(partner), "tokens"));

describe("admit: one round trip takes the tokens and claims the event ids", () => {
  it("claims each new pair as pending and takes one token per event, invalid ones included", async () => {
    const admission = await guards.admit("g-1", 10, 3, ["e1", "e2"], "p:r1");
    expect(admission).toEqual({ kind: "admitted", outcomes: ["claimed", "claimed"] });
    expect(await redis.get(seenKey("g-1", "e1"))).toBe("p:r1");
    const ttl = await redis.pttl(seenKey("g-1", "e2"));
    expect(ttl).toBeGreaterThan(PENDING_TTL_MS - 5_000);
    expect(ttl).toBeLessThanOrEqual(PENDING_TTL_MS);
    // Burst 20, three taken (the refill during the test adds well under one).
    expect(await tokensOf("g-1")).toBeGreaterThanOrEqual(17);
    expect(await tokensOf("g-1")).toBeLessThan(18);
  });

  it("tells committed pairs (duplicates) from another request's pending ones", async () => {
    await guards.admit("g-2", 100, 2, ["a", "b"], "p:first");
    await guards.commit("g-2", ["a"]);
    const again = await guards.admit("g-2", 100, 3, ["a", "b", "c"], "p:second");
    expect(again).toEqual({ kind: "admitted", outcomes: ["duplicate", "pending", "claimed"] });
    // The same event id of another partner is another click.
    expect(await guards.admit("g-3", 100, 1, ["a"], "p:third")).toEqual({
      kind: "admitted",
      outcomes: ["claimed"],
    });
  });

  it("a refused request takes no token and claims nothing", async () => {
    // Rate 2/s: burst 4.
    expect((await guards.admit("g-4", 2, 3, ["x1"], "p:a")).kind).toBe("admitted");
    const before = await redis.hgetall(rateLimitKey("g-4"));
    const refused = await guards.admit("g-4", 2, 3, ["x2", "x3"], "p:b");
    expect(refused.kind).toBe("limited");
    expect(refused.kind === "limited" && refused.retryMs).toBeGreaterThan(500);
    expect(await redis.exists(seenKey("g-4", "x2"), seenKey("g-4", "x3"))).toBe(0);
    expect(await redis.hgetall(rateLimitKey("g-4"))).toEqual(before);
  });

  it("refuses more events than the burst without asking Redis", async () => {
    const refusal = await guards.admit("g-5", 10, 21, ["y"], "p:a");
    expect(refusal).toEqual({ kind: "over-burst", burst: 20, retryMs: 2000 });
    expect(await redis.exists(rateLimitKey("g-5"), seenKey("g-5", "y"))).toBe(0);
  });

  it("remembers a bucket it emptied, until it holds a token again", async () => {
    expect(guards.knownWaitMs("g-6")).toBe(0);
    // Rate 1/s, burst 2: two events empty it; a token is back a second later.
    await guards.admit("g-6", 1, 2, ["z1", "z2"], "p:a");
    const waitMs = guards.knownWaitMs("g-6");
    expect(waitMs).toBeGreaterThan(900);
    expect(waitMs).toBeLessThanOrEqual(1000);
    expect(guards.knownWaitMs("g-6", Date.now() + 1001)).toBe(0);
    // A bucket with tokens left is not remembered as empty.
    await guards.admit("g-7", 100, 1, ["w"], "p:a");
    expect(guards.knownWaitMs("g-7")).toBe(0);
  });

  it("release removes only the request's own pending claims", async () => {
    await guards.admit("g-8", 100, 2, ["m1", "m2"], "p:mine");
    await guards.commit("g-8", ["m1"]);
    await guards.release("g-8", ["m1", "m2"], "p:mine");
    expect(await redis.get(seenKey("g-8", "m1"))).toBe("d");
    expect(await redis.exists(seenKey("g-8", "m2"))).toBe(0);
  });

  it("commits of concurrent requests (one partner or several) all land", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
    await Promise.all(
      ids.map((id, i) => guards.admit(i % 3 ? "g-9" : "g-10", 1000, 1, [id], `p:${id}`)),
    );
    await Promise.all(ids.map((id, i) => guards.commit(i % 3 ? "g-9" : "g-10", [id])));
    const marks = await Promise.all(
      ids.map((id, i) => redis.get(seenKey(i % 3 ? "g-9" : "g-10", id))),
    );
    expect(marks).toEqual(Array(30).fill("d"));
    const ttl = await redis.ttl(seenKey("g-9", "c1"));
    expect(ttl).toBeGreaterThan(IDEMPOTENCY_TTL_SECONDS - 60);
  });
});
