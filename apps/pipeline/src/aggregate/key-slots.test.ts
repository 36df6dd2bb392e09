/**
 * The Redis Cluster rules of the pipeline's keys: every script and transaction
 * touches keys of one hash slot (else a cluster refuses it with CROSSSLOT).
 */
import { dayCounterKey, uniqueUsersKey, windowCounterKey } from "@adclick/shared";
import { assertOneSlot, keySlot } from "@adclick/shared/redis";
import { describe, expect, it } from "vitest";
import { seenKey as ingestSeenKey, rateLimitKey } from "../ingest/redis-guards";
import {
  epochKey,
  memberEpochsKey,
  partitionMarkerKey,
  pendingRebuildKey,
  seenKey,
  stateKey,
  volumeJournalKey,
  volumeKey,
} from "./aggregate-store";

const TOPIC = "t-abc.clicks.raw";
const TS = Date.UTC(2026, 11, 3, 10, 7);

describe("Redis Cluster slots of the pipeline's keys", () => {
  it("a campaign flush (state, seen, counters and their HyperLogLogs) stays in the campaign's slot", () => {
    const counter = windowCounterKey("camp-1", TS, "country:FR");
    const day = dayCounterKey("camp-1", TS, "partner:p-9");
    const keys = [
      stateKey("camp-1", TOPIC, 3),
      seenKey("camp-1", TS),
      seenKey("camp-1", TS - 86_400_000),
      counter,
      uniqueUsersKey(counter),
      day,
      uniqueUsersKey(day),
    ];
    expect(() => assertOneSlot(keys, "flush")).not.toThrow();
    expect(keySlot(stateKey("camp-1", TOPIC, 3))).not.toBe(keySlot(stateKey("camp-2", TOPIC, 3)));
  });

  it("a partition's marker and pending rebuild share a slot (one MULTI), partitions differ", () => {
    expect(() =>
      assertOneSlot([partitionMarkerKey(TOPIC, 5), pendingRebuildKey(TOPIC, 5)], "rebuild"),
    ).not.toThrow();
    const slots = new Set(
      Array.from({ length: 16 }, (_, p) => keySlot(partitionMarkerKey(TOPIC, p))),
    );
    expect(slots.size).toBeGreaterThan(10);
  });

  it("the fencing epoch and its member hash share the group's slot", () => {
    expect(() =>
      assertOneSlot([epochKey("t-abc.aggregator"), memberEpochsKey("t-abc.aggregator")], "claim"),
    ).not.toThrow();
  });

  it("a minute's volume journal and its IP and user counts share the minute's slot", () => {
    const minute = Math.floor(TS / 60_000);
    expect(() =>
      assertOneSlot(
        [volumeJournalKey(minute, TOPIC, 2), volumeKey(minute, "ip"), volumeKey(minute, "user")],
        "volume",
      ),
    ).not.toThrow();
  });

  it("the ingest's idempotency marks and rate limit of one partner share the partner's slot", () => {
    expect(() =>
      assertOneSlot(
        [rateLimitKey("p-1"), ingestSeenKey("p-1", "e-1"), ingestSeenKey("p-1", "e-2")],
        "claim",
      ),
    ).not.toThrow();
    expect(keySlot(rateLimitKey("p-1"))).not.toBe(keySlot(rateLimitKey("p-2")));
  });
});
