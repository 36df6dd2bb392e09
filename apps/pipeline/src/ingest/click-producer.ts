/**
 * The one module that talks to the Kafka client for the ingest, so the client
 * can be swapped. kafkajs has no linger, so batching is ours: messages from
 * concurrent requests queue for at most `lingerMs` (or until `maxBatchBytes`)
 * and go out in one produce request; each caller's promise settles when the
 * broker has acknowledged its messages (acks=all, idempotent producer).
 *
 * One batch is in flight at a time: kafkajs assigns idempotent sequence numbers
 * per partition when it builds a request and rolls them back on failure, which
 * breaks with concurrent requests. Under load the next batch simply grows while
 * the current one is in flight, as with Kafka's own max.in.flight=1.
 *
 * Retries are capped (so a dead broker becomes a 503 in bounded time), and a
 * send kafkajs gave up on leaves its producer unsafe: the rolled-back sequence
 * numbers would be reused by the next batch, which a broker that did append
 * the failed one acks as a duplicate (a 202 for events not in Kafka) or refuses
 * with OUT_OF_ORDER_SEQUENCE_NUMBER for good. So after a failed send the
 * producer is replaced (a fresh producer id, sequences from 0) before the next
 * send, and `ready` is false while that happens or after repeated failures.
 *
 * Fault injection: `options.transport` performs one produce request with the
 * current kafkajs producer (default `producer.sendBatch`). Tests wrap it to make
 * a send fail, stall, or land only in part; a transport that knows which
 * messages the broker did take throws a `ProduceError` listing them.
 */
import {
  CompressionTypes,
  type ICustomPartitioner,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type ProducerBatch,
  type RecordMetadata,
  type TopicMessages,
} from "kafkajs";
import { registerLz4Codec } from "../kafka/lz4-codec";
import { notePartition, unacknowledged } from "../kafka/unacknowledged";
import type { Logger } from "../runtime/logger";

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ClickProducerOptions {
  /** At most this long between the first queued message and its produce request. */
  lingerMs: number;
  /** A batch is sent as soon as it holds this many bytes. */
  maxBatchBytes: number;
  compression: "lz4" | "gzip" | "none";
  /** Called after every produce request with its duration and outcome. */
  onBatch?: (info: { messages: number; bytes: number; seconds: number; ok: boolean }) => void;
  /** One produce request (the fault-injection seam; see the module comment). */
  transport?: ProduceTransport;
  /** This many failed sends in a row make the producer not ready (default 3). */
  maxFailuresBeforeUnready?: number;
}

/** Sends one batch with `producer`, resolving when every message is acknowledged. */
export type ProduceTransport = (
  producer: Producer,
  batch: ProducerBatch,
  messages: readonly OutgoingMessage[],
) => Promise<RecordMetadata[]>;

const defaultTransport: ProduceTransport = (producer, batch) => producer.sendBatch(batch);

/**
 * A failed send. `delivered` are the messages known to be in Kafka all the same
 * (a partly failed multi-partition send); every other one is not.
 */
export class ProduceError extends Error {
  constructor(
    message: string,
    readonly delivered: readonly OutgoingMessage[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ProduceError";
  }
}

/** The messages of a failed send that reached Kafka anyway (none unless the error says so). */
export function deliveredOf(err: unknown): ReadonlySet<OutgoingMessage> {
  return new Set(err instanceof ProduceError ? err.delivered : []);
}

/** Errors after which a producer's sequence state cannot be trusted even by a retry. */
const WEDGED =
  /OUT_OF_ORDER_SEQUENCE_NUMBER|INVALID_PRODUCER_EPOCH|UNKNOWN_PRODUCER_ID|out of order sequence/i;

interface Pending {
  messages: OutgoingMessage[];
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class ClickProducer {
  private producer: Producer;
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private sendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private connectedFlag = false;
  private closed = false;
  /** The replacement of a producer after a failed send, while it runs. */
  private replacing: Promise<void> | null = null;
  private consecutiveFailures = 0;
  private wedged = false;
  private readonly transport: ProduceTransport;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ClickProducerOptions,
    private readonly logger: Logger,
  ) {
    if (options.compression === "lz4") registerLz4Codec();
    this.transport = options.transport ?? defaultTransport;
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 on the key, as the Java client: a campaign's clicks share one partition (C2).
      createPartitioner: cachedKeyPartitioner,
      // Bounded retries (~30 s) so a dead broker turns into 503s instead of requests that never
      // end; the producer is replaced after a send that exhausts them (see the module comment).
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    producer.on(producer.events.CONNECT, () => {
      if (producer === this.producer) this.connectedFlag = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      if (producer === this.producer) this.connectedFlag = false;
    });
    return producer;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connectedFlag = true;
  }

  /**
   * Connected, not being replaced, and not wedged: what /readyz reports. A
   * producer that failed `maxFailuresBeforeUnready` sends in a row, or met an
   * error that breaks idempotence, is not ready until a send succeeds again.
   */
  get ready(): boolean {
    const limit = this.options.maxFailuresBeforeUnready ?? 3;
    return this.connected && !this.wedged && this.consecutiveFailures < limit;
  }

  get connected(): boolean {
    return this.connectedFlag && !this.closed;
  }

  /** Bytes accepted for sending but not yet acknowledged by the broker. */
  get inFlightBytes(): number {
    return this.queuedBytes + this.sendingBytes;
  }

  /** Resolves once every message is acknowledged by all in-sync replicas; rejects if any was not. */
  send(messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("producer is closed"));
    if (messages.length === 0) return Promise.resolve();
    let bytes = 0;
    for (const m of messages) bytes += m.value.length + m.key.length + 64;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, bytes, resolve, reject });
      this.queuedBytes += bytes;
      if (this.queuedBytes >= this.options.maxBatchBytes) this.kick();
      else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.options.lingerMs);
    });
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.queue.length === 0) return;
    this.inFlight = this.sendNext().finally(() => {
      this.inFlight = null;
      if (this.queue.length === 0) return;
      // Whatever queued while we waited has already lingered; send it now.
      this.kick();
    });
  }

  private async sendNext(): Promise<void> {
    const batch: Pending[] = [];
    let bytes = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || bytes + this.queue[0]!.bytes <= this.options.maxBatchBytes)
    ) {
      const next = this.queue.shift()!;
      batch.push(next);
      bytes += next.bytes;
    }
    this.queuedBytes -= bytes;
    this.sendingBytes += bytes;
    // Our messages go to kafkajs as they are (it reads key, value and headers; `topic` is ignored).
    const topicMessages: TopicMessages[] = [];
    let count = 0;
    for (const p of batch) {
      for (const m of p.messages) {
        let entry = topicMessages.find((t) => t.topic === m.topic);
        if (!entry) {
          entry = { topic: m.topic, messages: [] };
          topicMessages.push(entry);
        }
        entry.messages.push(m as Message);
        count++;
      }
    }
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      if (this.replacing) await this.replacing;
      if (!this.connectedFlag) throw new Error("Kafka producer is reconnecting; nothing was sent");
      const sent = batch.flatMap((p) => p.messages);
      const acknowledged = await this.transport(
        this.producer,
        {
          topicMessages,
          acks: -1,
          // Compressing a few small records costs more CPU (a codec call per partition) than it saves.
          compression:
            bytes < SMALL_BATCH_BYTES ? CompressionTypes.None : codec(this.options.compression),
        },
        sent,
      );
      const unconfirmed = unacknowledged(sent, (m) => m.topic, acknowledged);
      if (unconfirmed.size > 0)
        throw new ProduceError(
          `Kafka acknowledged ${sent.length - unconfirmed.size} of ${sent.length} messages: the send resolved without a response for the others' partitions (kafka/unacknowledged.ts)`,
          sent.filter((m) => !unconfirmed.has(m)),
        );
      ok = true;
      this.consecutiveFailures = 0;
      this.wedged = false;
      for (const p of batch) p.resolve();
    } catch (err) {
      this.logger.error({ err, messages: count }, "produce failed; replacing the producer");
      this.consecutiveFailures++;
      if (WEDGED.test(`${(err as Error)?.name} ${(err as Error)?.message}`)) this.wedged = true;
      this.startReplacing();
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
    } finally {
      this.sendingBytes -= bytes;
      this.options.onBatch?.({
        messages: count,
        bytes,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        ok,
      });
    }
  }

  /**
   * Puts a fresh kafkajs producer (new producer id, sequences from 0) in place
   * of one that failed a send, retrying with backoff while Kafka is away; no
   * batch is sent with the old one meanwhile.
   */
  private startReplacing(): void {
    if (this.replacing || this.closed) return;
    this.connectedFlag = false;
    const old = this.producer;
    this.producer = this.newProducer();
    this.replacing = (async () => {
      await old.disconnect().catch((err) => this.logger.warn({ err }, "old producer disconnect"));
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          await this.producer.connect();
          this.connectedFlag = true;
          this.logger.info({}, "producer replaced after a failed send");
          return;
        } catch (err) {
          this.logger.warn({ err, attempt }, "replacement producer could not connect; retrying");
          await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * 2 ** attempt)));
        }
      }
    })().finally(() => {
      this.replacing = null;
    });
  }

  /** Sends everything queued, waits for the acknowledgements, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.queue.length > 0 || this.inFlight) {
      this.kick();
      if (this.inFlight) await this.inFlight.catch(() => undefined);
    }
    await this.replacing;
    await this.producer.disconnect();
    this.connectedFlag = false;
  }
}

/**
 * kafkajs's default (Java-compatible murmur2) partitioner, memoised per key and
 * partition count: the key is a campaign id, so a few thousand keys repeat.
 */
const cachedKeyPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  return (args) => {
    const { message, partitionMetadata } = args;
    const key = message.key;
    if (typeof key !== "string" || message.partition != null) {
      return notePartition(message, inner(args));
    }
    const cacheKey = `${partitionMetadata.length}:${key}`;
    let partition = cache.get(cacheKey);
    if (partition === undefined) {
      partition = inner(args);
      if (cache.size >= 100_000) cache.clear();
      cache.set(cacheKey, partition);
    }
    return notePartition(message, partition);
  };
};

/** Below this many bytes a produce request goes uncompressed. */
const SMALL_BATCH_BYTES = 16 * 1024;

function codec(name: ClickProducerOptions["compression"]): CompressionTypes {
  if (name === "lz4") return CompressionTypes.LZ4;
  if (name === "gzip") return CompressionTypes.GZIP;
  return CompressionTypes.None;
}
