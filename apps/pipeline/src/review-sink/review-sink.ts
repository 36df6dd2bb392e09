/**
 * The review sink role: consumes `clicks.flagged` (suspicious clicks the
 * aggregator counted but wants a human to look at) and queues them in
 * Postgres for analysts. Offsets are committed only after the batch's rows are
 * written, and a redelivered message changes nothing (insert-or-ignore on
 * partner_id + event_id), so the queue is exactly-once in effect and never
 * overwrites an analyst's decision.
 */
import { connectDb, type Database } from "@adclick/db/client";
import { insertReviewItems, type NewReviewItem } from "@adclick/db/queries";
import { type Config, groupName, topicName } from "@adclick/shared";
import { sql } from "drizzle-orm";
import type { Consumer, EachBatchPayload } from "kafkajs";
import { Counter, Histogram, type Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { ensureTopics } from "../kafka/topics";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { toReviewItem } from "./flagged-click";

export interface ReviewSinkOptions {
  config: Config;
  logger: Logger;
  registry: Registry;
  /** A database to use instead of connecting to DATABASE_URL (it is then not closed on stop). */
  db?: Database;
}

/** Rows per INSERT: 8 columns each stays far below Postgres's 65,535 parameters. */
const INSERT_CHUNK = 1000;

export function createReviewSink(options: ReviewSinkOptions): Component {
  const { config, registry } = options;
  const logger = options.logger.child({ component: "review-sink" });
  const topic = topicName(config.KAFKA_TOPIC_PREFIX, "flagged");
  const groupId = groupName(config.KAFKA_TOPIC_PREFIX, "review-sink");

  const messages = new Counter({
    name: "adclick_review_sink_messages_total",
    help: "Flagged clicks read by the review sink, by outcome: queued (new row), duplicate (already queued: a redelivery), invalid (skipped).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: "adclick_review_sink_batch_seconds",
    help: "Time to write one batch of flagged clicks and commit its offset.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  let db: Database | null = options.db ?? null;
  let closeDb: (() => Promise<void>) | null = null;
  let consumer: Consumer | null = null;
  let joined = false;
  let crashed = false;

  async function writeBatch({ batch, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
    if (batch.isEmpty()) return;
    const stop = batchSeconds.startTimer();
    const items: NewReviewItem[] = [];
    let invalid = 0;
    for (const message of batch.messages) {
      const decoded = toReviewItem(message.value);
      if (decoded.ok) {
        items.push(decoded.item);
      } else {
        invalid++;
        logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            error: decoded.error,
          },
          "skipping a flagged message that cannot be queued",
        );
      }
    }
    let queued = 0;
    for (let i = 0; i < items.length; i += INSERT_CHUNK) {
      queued += await insertReviewItems(db!, items.slice(i, i + INSERT_CHUNK));
    }
    // Only now are the batch's effects durable: move past it and commit the offset after its last message.
    resolveOffset(batch.lastOffset());
    await consumer!.commitOffsets([
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: (BigInt(batch.lastOffset()) + 1n).toString(),
      },
    ]);
    await heartbeat();
    messages.inc({ outcome: "queued" }, queued);
    messages.inc({ outcome: "duplicate" }, items.length - queued);
    messages.inc({ outcome: "invalid" }, invalid);
    stop();
    if (items.length > queued) {
      logger.info(
        { partition: batch.partition, duplicates: items.length - queued },
        "flagged clicks already queued (redelivery)",
      );
    }
  }

  return {
    name: "review-sink",

    async start() {
      registerLz4Codec();
      if (!db) {
        const conn = connectDb(config.DATABASE_URL, {
          max: 4,
          applicationName: "adclick-review-sink",
        });
        db = conn.db;
        closeDb = conn.close;
      }
      await db.execute(sql`select 1 from review_queue limit 0`);

      const kafka = createKafka(config, "adclick-review-sink", logger);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, config, ["flagged"]);
      } finally {
        await admin.disconnect();
      }
      consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        joined = true;
        crashed = false;
        logger.info({ groupId, assignment: payload.memberAssignment }, "joined consumer group");
      });
      consumer.on(consumer.events.REBALANCING, () => {
        logger.info({ groupId }, "consumer group rebalancing");
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        logger.error(
          { err: payload.error, restart: payload.restart },
          "review sink consumer crashed",
        );
        if (!payload.restart) crashed = true;
      });
      await consumer.connect();
      // A new group starts at the earliest offset: flags written before the sink first ran are not lost.
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: writeBatch,
      });
    },

    ready() {
      return joined && !crashed;
    },

    async stop() {
      joined = false;
      // Waits for the batch in progress to be written and committed.
      await consumer?.disconnect();
      consumer = null;
      await closeDb?.();
      closeDb = null;
    },
  };
}
