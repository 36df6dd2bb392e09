import { describe, expect, it } from "vitest";
import { dayCounterKey, uniqueUsersKey, windowCounterKey } from "../redis-keys";
import { assertOneSlot, CLUSTER_SLOTS, keySlot } from "./key-slot";

describe("keySlot", () => {
  it("matches Redis Cluster's CRC16 slots (values from the cluster specification)", () => {
    expect(keySlot("foo")).toBe(12182);
    expect(keySlot("123456789")).toBe(0x31c3 % CLUSTER_SLOTS);
  });

  it("hashes only the first non-empty {tag}", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("foo{}{bar}")).toBe(keySlot("foo{}{bar}"));
    expect(keySlot("foo{}{bar}")).not.toBe(keySlot("bar"));
    expect(keySlot("foo{{bar}}zap")).toBe(keySlot("{bar"));
  });

  it("puts every counter key of one campaign in one slot, and spreads campaigns", () => {
    const day = Date.UTC(2026, 11, 3);
    const keys = [
      windowCounterKey("camp-7", day, "all"),
      windowCounterKey("camp-7", day + 300_000, "country:DE"),
      dayCounterKey("camp-7", day, "partner:p-1"),
      uniqueUsersKey(dayCounterKey("camp-7", day, "device:mobile")),
    ];
    expect(new Set(keys.map(keySlot)).size).toBe(1);
    expect(keySlot(keys[0]!)).toBe(keySlot("camp-7"));
    const slots = new Set(
      Array.from({ length: 50 }, (_, i) => keySlot(dayCounterKey(`c${i}`, day, "all"))),
    );
    expect(slots.size).toBeGreaterThan(40);
  });
});

describe("assertOneSlot", () => {
  it("accepts keys of one tag and names two keys of different slots", () => {
    expect(() => assertOneSlot(["a:{x}:1", "b:{x}:2"], "flush")).not.toThrow();
    expect(() => assertOneSlot([], "flush")).not.toThrow();
    expect(() => assertOneSlot(["a:{x}:1", "a:{y}:1"], "flush")).toThrow(
      "flush: keys a:{x}:1 and a:{y}:1 lie in different Redis Cluster slots",
    );
  });
});
