import { Writable } from "node:stream";
import { loadConfig } from "@adclick/shared";
import { Partitioners } from "kafkajs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createKafka } from "./client";

/** A logger at `warn` whose lines land in `lines` (parsed). */
function capturingLogger() {
  const lines: Array<{ msg: string; namespace?: string; level: number }> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "warn" }, stream), lines };
}

describe("createKafka's logging", () => {
  const config = loadConfig({ KAFKA_BROKERS: "127.0.0.1:1" });

  it("drops kafkajs's warning about the ingest's deliberately bounded idempotent retries", async () => {
    const { logger, lines } = capturingLogger();
    const kafka = createKafka(config, "t", logger);
    kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 8 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual([]);
  });

  it("passes every other kafkajs warning and error through", async () => {
    const { logger, lines } = capturingLogger();
    const kafka = createKafka(config, "t", logger);
    kafka.logger().namespace("Producer").warn("something else went wrong");
    kafka
      .logger()
      .namespace("Consumer")
      .error("Limiting retries for the idempotent producer may invalidate EoS guarantees");
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.namespace, l.msg])).toEqual([
      ["Producer", "something else went wrong"],
      ["Consumer", "Limiting retries for the idempotent producer may invalidate EoS guarantees"],
    ]);
  });
});
