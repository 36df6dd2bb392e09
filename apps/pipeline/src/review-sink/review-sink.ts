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
import { type Config, groupName } from "@adclick/shared";
import { sql } from "drizzle-orm";
import type { EachBatchPayload, Kafka } from "kafkajs";
import { Counter, Histogram, type Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { ConsumerGroup, type Membership } from "../kafka/consumer-group";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { requestIdOf } from "../kafka/request-id";
import { withStartBackoff } from "../kafka/start-backoff";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { toReviewItem } from "./flagged-click";

export interface ReviewSinkOptions {
  config: Config;
  logger: Logger;
  registry: Registry;
  /** A database to use instead of connecting to DATABASE_URL (it is then not closed on stop). */
  db?: Database;
  /** A shared Kafka client from the process's composition root; one of its own otherwise. */
  kafka?: Kafka;
}

/** Rows per INSERT: 8 columns each stays far below Postgres's 65,535 parameters. */
const INSERT_CHUNK = 1000;

export function createReviewSink(options: ReviewSinkOptions): Component {
  const { config, registry } = options;
  const logger = options.logger.child({ component: "review-sink" });
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
  let group: ConsumerGroup | null = null;

  async function writeBatch(
    { batch, heartbeat, resolveOffset }: EachBatchPayload,
    membership: Membership,
  ): Promise<void> {
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
            request_id: requestIdOf(message.headers),
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
    // Counted as soon as the rows are in: a redelivery after a failed commit counts as duplicates.
    messages.inc({ outcome: "queued" }, queued);
    messages.inc({ outcome: "duplicate" }, items.length - queued);
    messages.inc({ outcome: "invalid" }, invalid);
    // Only now are the batch's effects durable: move past it and commit the offset after its last message.
    resolveOffset(batch.lastOffset());
    // Throws unless the broker holds the offset; the batch is then redelivered (inserts are idempotent).
    await group!.commit(membership, [
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: (BigInt(batch.lastOffset()) + 1n).toString(),
      },
    ]);
    await heartbeat();
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

      // A database late at start is waited for, within a bound, rather than crashing the role.
      await withStartBackoff(
        "the review queue in Postgres",
        () => db!.execute(sql`select 1 from review_queue limit 0`),
        // A missing table is not late, it is unmigrated: say so at once.
        { logger, isFatal: (err) => pgCode(err) === "42P01" },
      );
      group = new ConsumerGroup({
        kafka: options.kafka ?? createKafka(config, "adclick-review-sink", logger),
        config,
        logger,
        groupId,
        topics: ["flagged"],
        // A new group starts at the earliest offset: flags written before the sink first ran are not lost.
        fromBeginning: true,
        eachBatch: writeBatch,
      });
      await group.start();
    },

    ready() {
      return group?.ready() ?? false;
    },

    async stop() {
      // Waits for the batch in progress to be written and committed.
      await group?.stop();
      group = null;
      await closeDb?.();
      closeDb = null;
    },
  };
}

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  return e?.code ?? e?.cause?.code;
}
