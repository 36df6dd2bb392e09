import type { PartitionerArgs } from "kafkajs";
import { describe, expect, it } from "vitest";
import { recordingPartitioner, unacknowledged } from "./unacknowledged";

const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 }));

/** Partitions `messages` as kafkajs would, with the recording partitioner. */
function partition(messages: Array<{ topic: string; key: string; value: string }>): number[] {
  const choose = recordingPartitioner()();
  return messages.map((message) =>
    choose({ topic: message.topic, partitionMetadata, message } as unknown as PartitionerArgs),
  );
}

const ok = (topicName: string, partition: number) => ({ topicName, partition, errorCode: 0 });
const topicOf = (m: { topic: string }) => m.topic;

describe("unacknowledged", () => {
  const messages = ["c1", "c2", "c3", "c4", "c5", "c6"].map((key) => ({
    topic: "raw",
    key,
    value: "v",
  }));

  it("is empty when every message's partition answered", () => {
    const parts = partition(messages);
    expect(new Set(parts).size).toBeGreaterThan(1);
    const responses = [...new Set(parts)].map((p) => ok("raw", p));
    expect(unacknowledged(messages, topicOf, responses).size).toBe(0);
  });

  it("names the messages of a partition with no response, or an error, or of another topic", () => {
    const parts = partition(messages);
    const [missing, failed, ...rest] = [...new Set(parts)];
    const responses = [
      { ...ok("raw", failed!), errorCode: 6 },
      ...rest.map((p) => ok("raw", p)),
      ok("rejected", missing!),
    ];
    const out = unacknowledged(messages, topicOf, responses);
    expect([...out]).toEqual(
      messages.filter((_, i) => parts[i] === missing || parts[i] === failed),
    );
  });

  it("counts a message the partitioner never saw as not written", () => {
    const stranger = { topic: "raw", key: "c1", value: "v" };
    expect(
      unacknowledged([stranger], topicOf, [
        ok("raw", 0),
        ok("raw", 1),
        ok("raw", 2),
        ok("raw", 3),
      ]).has(stranger),
    ).toBe(true);
  });
});
