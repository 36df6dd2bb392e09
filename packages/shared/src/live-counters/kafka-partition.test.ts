import { describe, expect, it } from "vitest";
import { kafkaPartitionOf, murmur2 } from "./kafka-partition";

// Reference values from kafkajs's Java-compatible murmur2 (its default partitioner).
const REFERENCE: Array<[string, number]> = [
  ["initech-crm-trial", -1681434168],
  ["acme-spring-sale", 498538888],
  ["", 275646681],
  ["a", -1563381124],
  ["abcd", -1323649548],
  ["c-0001", -1729594654],
  ["日本", -700811021],
];

describe("murmur2", () => {
  it.each(REFERENCE)("hashes %j like Kafka's client", (key, hash) => {
    expect(murmur2(key)).toBe(hash);
  });
});

describe("kafkaPartitionOf", () => {
  it("takes the positive hash modulo the partition count", () => {
    expect(kafkaPartitionOf("initech-crm-trial", 8)).toBe(0);
    expect(kafkaPartitionOf("initech-crm-trial", 100)).toBe(80);
    expect(kafkaPartitionOf("a", 8)).toBe(4);
    expect(kafkaPartitionOf("c-0001", 100)).toBe(94);
    expect(kafkaPartitionOf("日本", 8)).toBe(3);
  });
});
