/**
 * The aggregator's producer of `clicks.flagged` and `clicks.fraud`.
 *
 * A kafkajs idempotent producer whose send failed cannot be trusted to send
 * again: kafkajs rolls its sequence numbers back without a new producer id (see
 * ingest/click-producer.ts), and after a broker restart every later send can fail
 * with OUT_OF_ORDER_SEQUENCE_NUMBER, which kafkajs raises as non-retriable. Out
 * of `eachBatch`, that error crashes the consumer for good: the counters were
 * flushed, but that batch's verdicts and every later one never reach the review
 * queue or the fraud lake (seen in the broker-restart fault test).
 *
 * So a failed send replaces the producer (a fresh producer id, sequences from 0)
 * and fails the batch with a retriable error that carries no `cause` (kafkajs
 * decides on a restart by the innermost cause): the batch is redelivered, its
 * counters are recognised as already flushed, and its verdicts are produced
 * again; the archiver and the review sink drop the copies. A send that resolved
 * without a response for some of its messages' partitions (kafkajs can, see
 * kafka/unacknowledged.ts) counts as failed too.
 */
import type { Kafka, Producer, ProducerBatch } from "kafkajs";
import { recordingPartitioner, unacknowledged } from "../kafka/unacknowledged";
import type { Logger } from "../runtime/logger";

/** A batch whose verdicts were not produced; kafkajs retries it (never a crash for good). */
export class VerdictSendError extends Error {
  override name = "VerdictSendError";
  readonly retriable = true;
}

export class VerdictProducer {
  private producer: Producer;
  private replacing: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
  ) {
    this.producer = this.create();
  }

  private create(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      createPartitioner: recordingPartitioner(),
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async sendBatch(batch: ProducerBatch): Promise<void> {
    if (this.replacing) await this.replacing;
    const producer = this.producer;
    try {
      const responses = await producer.sendBatch(batch);
      const topicOf = new Map<object, string>();
      for (const t of batch.topicMessages ?? [])
        for (const m of t.messages) topicOf.set(m, t.topic);
      const messages = [...topicOf.keys()];
      const missing = unacknowledged(messages, (m) => topicOf.get(m)!, responses);
      if (missing.size > 0)
        throw new Error(
          `Kafka acknowledged ${messages.length - missing.size} of ${messages.length} messages; the send resolved without a response for the others' partitions`,
        );
    } catch (err) {
      this.replace(producer);
      throw new VerdictSendError(
        `verdicts not produced (${err instanceof Error ? err.message : String(err)}); the producer is replaced and the batch retried`,
      );
    }
  }

  /** A fresh producer in place of `failed`, once, however many sends failed with it. */
  private replace(failed: Producer): void {
    if (this.producer !== failed) return;
    const next = this.create();
    this.producer = next;
    const replacing = (async () => {
      await failed.disconnect().catch(() => undefined);
      await next.connect();
      this.logger.info({}, "verdict producer replaced after a failed send");
    })()
      // A replacement that cannot connect fails its first send, which replaces it again.
      .catch((err) => this.logger.warn({ err }, "replacement verdict producer could not connect"))
      .finally(() => {
        if (this.replacing === replacing) this.replacing = null;
      });
    this.replacing = replacing;
  }

  async disconnect(): Promise<void> {
    await this.replacing;
    await this.producer.disconnect();
  }
}
