/** Smoke test of the local Redis: a round trip on the test's own (non-zero) database index. */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";

describe("local Redis", () => {
  let stack: TestStack;
  let redis: Redis;

  beforeAll(async () => {
    stack = await createTestStack({ database: false });
    redis = new Redis(stack.config.REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await redis?.quit();
    await stack?.cleanup();
  });

  it("stores and reads back a hash with a TTL on a non-zero db index", async () => {
    expect(stack.redisDb).toBeGreaterThan(0);
    expect(redis.options.db).toBe(stack.redisDb);
    const key = "counter:{smoke}:202601010000:all";
    await redis.multi().hincrby(key, "clicks", 2).hincrby(key, "clicks", 3).expire(key, 60).exec();
    expect(await redis.hget(key, "clicks")).toBe("5");
    expect(await redis.ttl(key)).toBeGreaterThan(0);
    await redis.del(key);
    expect(await redis.exists(key)).toBe(0);
  });
});
