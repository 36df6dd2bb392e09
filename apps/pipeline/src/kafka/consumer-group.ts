/**
 * The one place the pipeline's consumers meet kafkajs's consumer group: topic
 * creation and a late broker at start, joins, rebalances, crashes, stale
 * batches, heartbeats and commits. Each kafkajs trap is guarded here once:
 *
 * - `consumer.commitOffsets()` resolves without committing anything while the
 *   runner is stopped or restarting after a crash, and a commit whose response
 *   was lost may be retried into UNKNOWN_MEMBER_ID although the first attempt
 *   was applied. `commit()` therefore reads the group's offsets back and
 *   reports only what the broker holds: confirmed, or `CommitNotConfirmedError`.
 * - A batch fetched before a seek or a rebalance is still handed to
 *   `eachBatch`: the wrapper drops it (`isStale`, `isRunning`, membership).
 * - Work outside `eachBatch` (a timed flush) has no `isStale()`: it asks
 *   `confirmMembership()`, which sends a heartbeat and checks that the session
 *   cannot have expired since the work began (a process paused past its session
 *   timeout is a zombie until its next heartbeat says so).
 * - kafkajs heartbeats only from its fetch loop: the fetch wait is kept below
 *   the heartbeat interval so an idle consumer is not evicted.
 * - A crash with `restart: false` leaves the consumer dead for good:
 *   `ready()` turns false and stays false.
 */
import type { Config, TopicName } from "@adclick/shared";
import type { Admin, Consumer, ConsumerConfig, EachBatchPayload, Kafka } from "kafkajs";
import type { Logger } from "../runtime/logger";
import { START_TIMEOUT_MS, withStartBackoff } from "./start-backoff";
import { ensureTopics, TopicConfigError } from "./topics";

/** One membership of this process in the group, from a GROUP_JOIN to the next rebalance or crash. */
export interface Membership {
  /** Counts this process's joins: 1 for the first, 2 after the first rebalance… */
  readonly generation: number;
  readonly memberId: string;
  /** The partition assigner the group's leader chose (the aggregator's fencing epochs depend on it). */
  readonly protocol: string;
  /** Partitions assigned to this membership, by full topic name. */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

export interface GroupCommit {
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1). */
  offset: string;
  /** Stored with the offset; `committed()` returns it (the archiver names the segment it covers). */
  metadata?: string;
}

/** The broker does not hold the offsets asked for: the commit failed, was refused, or never left. */
export class CommitNotConfirmedError extends Error {
  override name = "CommitNotConfirmedError";
}

export interface CommittedOffset {
  /** Next offset to read, or null when the group never committed this partition. */
  offset: bigint | null;
  metadata: string | null;
}

export interface ConsumerGroupOptions {
  kafka: Kafka;
  config: Config;
  logger: Logger;
  groupId: string;
  /** Short topic names (C2), created when missing and subscribed to. */
  topics: TopicName[];
  /** Topics this role produces to: created when missing, not subscribed to. */
  alsoCreate?: TopicName[];
  /** kafkajs consumer settings on top of ours (session timeout, fetch sizes…). */
  consumer?: Partial<Omit<ConsumerConfig, "groupId">>;
  /** kafkajs run settings; manual commits (autoCommit false) unless asked. */
  run?: {
    autoCommit?: boolean;
    autoCommitInterval?: number;
    partitionsConsumedConcurrently?: number;
  };
  /** Start a new group at the earliest offset (default true: nothing produced before is skipped). */
  fromBeginning?: boolean;
  /** How long a late broker or topic is waited for at start (default 120 s). */
  startTimeoutMs?: number;
  /** After every join, before the first batch of the new membership. */
  onJoin?(membership: Membership): void;
  /** When the membership ends (rebalance, crash, stop): work begun under it is stale. */
  onRevoke?(reason: string): void;
  /** Called only with fresh batches of the current membership; empty batches are skipped. */
  eachBatch(payload: EachBatchPayload, membership: Membership): Promise<void>;
}

export class ConsumerGroup {
  private readonly logger: Logger;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private admin: Admin | null = null;
  private consumer: Consumer | null = null;
  private membership: Membership | null = null;
  private generation = 0;
  private active = false;
  private everJoined = false;
  private failed = false;
  private stopping = false;
  private lastHeartbeatAt = 0;
  private heartbeatFn: (() => Promise<void>) | null = null;
  private restarting: Promise<void> | null = null;
  private topicNames: string[] = [];

  constructor(private readonly o: ConsumerGroupOptions) {
    this.logger = o.logger.child({ groupId: o.groupId });
    this.sessionTimeoutMs = o.consumer?.sessionTimeout ?? 30_000;
    this.heartbeatIntervalMs = o.consumer?.heartbeatInterval ?? 3_000;
  }

  /** Full topic names, once started. */
  get topics(): readonly string[] {
    return this.topicNames;
  }

  /** The group's admin client (offsets, metadata), once started. */
  get adminClient(): Admin {
    if (!this.admin) throw new Error("consumer group not started");
    return this.admin;
  }

  async start(): Promise<void> {
    const { kafka, config, logger, groupId } = this.o;
    const timeoutMs = this.o.startTimeoutMs ?? START_TIMEOUT_MS;
    const backoff = { logger: this.logger, timeoutMs };
    const admin = kafka.admin();
    this.admin = admin;
    await withStartBackoff("the Kafka brokers", () => admin.connect(), backoff);
    const created = await ensureTopics(
      admin,
      config,
      [...this.o.topics, ...(this.o.alsoCreate ?? []).filter((t) => !this.o.topics.includes(t))],
      { logger: this.logger, timeoutMs },
    );
    this.topicNames = created.slice(0, this.o.topics.length);
    await this.runConsumer(backoff);
    logger.debug({ groupId, topics: this.topicNames }, "consumer group running");
  }

  /** A new kafkajs consumer: events wired, connected, subscribed and running. */
  private async runConsumer(backoff: { logger: Logger; timeoutMs: number }): Promise<void> {
    const { kafka, groupId } = this.o;
    const consumer = kafka.consumer({
      allowAutoTopicCreation: false,
      // kafkajs heartbeats between fetches: a fetch may not wait longer than a heartbeat interval.
      maxWaitTimeInMs: Math.min(1_000, this.heartbeatIntervalMs),
      ...this.o.consumer,
      groupId,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.generation += 1;
      const membership: Membership = {
        generation: this.generation,
        memberId: payload.memberId,
        protocol: payload.groupProtocol,
        assignment: payload.memberAssignment,
      };
      this.membership = membership;
      this.active = true;
      this.everJoined = true;
      this.lastHeartbeatAt = Date.now();
      this.logger.info(
        { generation: membership.generation, assignment: payload.memberAssignment },
        "joined the consumer group",
      );
      this.o.onJoin?.(membership);
    });
    consumer.on(consumer.events.HEARTBEAT, () => {
      this.lastHeartbeatAt = Date.now();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.revoke("rebalancing");
      this.logger.info("consumer group rebalancing");
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.revoke("crashed");
      // kafkajs restarts with a new runner: a heartbeat function from before would ask the old one.
      this.heartbeatFn = null;
      if (!payload.restart) {
        if (!this.stopping && isBrokerTransient(payload.error)) this.restartConsumer(consumer);
        else this.failed = true;
      }
      this.logger.error(
        { err: payload.error, restart: payload.restart },
        payload.restart ? "consumer crashed; kafkajs restarts it" : "consumer crashed for good",
      );
    });
    consumer.on(consumer.events.STOP, () => this.revoke("stopped"));

    try {
      await withStartBackoff("the Kafka brokers", () => consumer.connect(), backoff);
      await withStartBackoff(
        `metadata of ${this.topicNames.join(", ")}`,
        () =>
          consumer.subscribe({
            topics: this.topicNames,
            fromBeginning: this.o.fromBeginning ?? true,
          }),
        { ...backoff, isFatal: (err) => err instanceof TopicConfigError },
      );
      await consumer.run({
        autoCommit: this.o.run?.autoCommit ?? false,
        autoCommitInterval: this.o.run?.autoCommitInterval,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.o.run?.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.onBatch(payload),
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /**
   * kafkajs gave up for good on an error that only a broker restart or a moving
   * coordinator caused (seen: KafkaJSGroupCoordinatorNotFound while a broker shut
   * down, rejoining after a rebalance): the consumer is replaced by a new one
   * that joins again, instead of the role stalling with `ready()` false.
   */
  private restartConsumer(crashed: Consumer): void {
    if (this.restarting || this.consumer !== crashed) return;
    this.logger.warn("kafkajs gave up on a broker error that passes; starting a new consumer");
    const timeoutMs = this.o.startTimeoutMs ?? START_TIMEOUT_MS;
    const restarting = (async () => {
      await crashed.disconnect().catch(() => undefined);
      if (this.stopping) return;
      await withStartBackoff(
        "a new consumer after a crash",
        async () => {
          if (this.stopping) return;
          await this.runConsumer({ logger: this.logger, timeoutMs });
        },
        { logger: this.logger, timeoutMs },
      );
    })()
      .catch((err) => {
        this.failed = true;
        this.logger.error({ err }, "could not start a new consumer; crashed for good");
      })
      .finally(() => {
        if (this.restarting === restarting) this.restarting = null;
      });
    this.restarting = restarting;
  }

  /** Joined at least once, not crashed for good, not stopping. */
  ready(): boolean {
    return this.everJoined && !this.failed && !this.stopping;
  }

  /** The current membership, or null between a rebalance (or crash) and the next join. */
  current(): Membership | null {
    return this.active && !this.failed && !this.stopping ? this.membership : null;
  }

  /**
   * True while `membership` is still this process's membership as far as it can
   * tell without asking the broker: no rebalance, crash or stop since, and a
   * heartbeat recent enough that the session cannot have expired.
   */
  isCurrent(membership: Membership): boolean {
    return (
      this.current() === membership && Date.now() - this.lastHeartbeatAt < this.sessionTimeoutMs
    );
  }

  /**
   * Asks the broker: sends a heartbeat (when one is due) and answers whether
   * `membership` is still current afterwards. For work outside `eachBatch`
   * before it writes anything.
   */
  async confirmMembership(membership: Membership): Promise<boolean> {
    if (!this.isCurrent(membership)) return false;
    try {
      await this.heartbeatFn?.();
    } catch (err) {
      this.logger.info(
        { reason: err instanceof Error ? err.message : String(err) },
        "heartbeat refused: this membership has ended",
      );
      this.revoke("heartbeat refused");
      return false;
    }
    return this.isCurrent(membership);
  }

  /**
   * Commits `offsets` under `membership` and returns only once the broker is
   * seen to hold them; otherwise throws `CommitNotConfirmedError`. A commit
   * whose response was lost but that the broker applied counts as confirmed.
   */
  async commit(membership: Membership, offsets: GroupCommit[]): Promise<void> {
    if (!this.isCurrent(membership)) {
      throw new CommitNotConfirmedError("not committed: the group membership has ended");
    }
    let failure: unknown = null;
    try {
      await this.consumer!.commitOffsets(
        offsets.map((o) => ({ ...o, metadata: o.metadata ?? null })),
      );
    } catch (err) {
      failure = err;
    }
    let held: Map<string, CommittedOffset>;
    try {
      held = await this.committedAll([...new Set(offsets.map((o) => o.topic))]);
    } catch (err) {
      throw new CommitNotConfirmedError(
        `commit outcome unknown (${describe(failure) ?? "sent"}; read-back failed: ${describe(err)})`,
      );
    }
    const missing = offsets.filter((o) => {
      const h = held.get(`${o.topic}:${o.partition}`);
      return (
        h?.offset !== BigInt(o.offset) ||
        (o.metadata !== undefined && (h.metadata ?? "") !== o.metadata)
      );
    });
    if (missing.length > 0) {
      throw new CommitNotConfirmedError(
        `not committed (${describe(failure) ?? "the consumer is not running"}): ${missing
          .map((o) => `${o.topic}/${o.partition}@${o.offset}`)
          .join(", ")}`,
      );
    }
    if (failure) {
      this.logger.warn(
        { reason: describe(failure) },
        "the broker holds the offsets although the commit reported an error",
      );
    }
  }

  /** The group's committed offsets (with their metadata) for every partition of `topic`. */
  async committed(topic: string): Promise<Map<number, CommittedOffset>> {
    const all = await this.committedAll([topic]);
    const byPartition = new Map<number, CommittedOffset>();
    for (const [key, value] of all)
      byPartition.set(Number(key.slice(key.lastIndexOf(":") + 1)), value);
    return byPartition;
  }

  /** Moves a partition's fetch position; false when the consumer cannot seek now. */
  seek(topic: string, partition: number, offset: string): boolean {
    try {
      this.consumer?.seek({ topic, partition, offset });
      return true;
    } catch (err) {
      this.logger.warn({ err, topic, partition, offset }, "could not seek");
      return false;
    }
  }

  /** Waits for the batch in progress, leaves the group and closes the clients. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.restarting;
      await this.consumer?.disconnect();
    } finally {
      await this.admin?.disconnect().catch(() => undefined);
    }
  }

  private revoke(reason: string): void {
    const had = this.active;
    this.active = false;
    if (had) this.o.onRevoke?.(reason);
  }

  private async committedAll(topics: string[]): Promise<Map<string, CommittedOffset>> {
    const result = await this.adminClient.fetchOffsets({ groupId: this.o.groupId, topics });
    const held = new Map<string, CommittedOffset>();
    for (const { topic, partitions } of result) {
      for (const p of partitions) {
        const offset = BigInt(p.offset);
        held.set(`${topic}:${p.partition}`, {
          offset: offset < 0n ? null : offset,
          metadata: p.metadata ?? null,
        });
      }
    }
    return held;
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    this.heartbeatFn = payload.heartbeat;
    const membership = this.membership;
    if (
      !membership ||
      this.stopping ||
      !payload.isRunning() ||
      payload.isStale() ||
      payload.batch.isEmpty() ||
      this.current() !== membership
    ) {
      return;
    }
    await this.o.eachBatch(payload, membership);
  }
}

/** kafkajs error names and Kafka error types that a broker restart or a moving coordinator causes. */
const TRANSIENT_NAMES = new Set([
  "KafkaJSGroupCoordinatorNotFound",
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSNumberOfRetriesExceeded",
]);
const TRANSIENT_TYPES = new Set([
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "GROUP_LOAD_IN_PROGRESS",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
  "REQUEST_TIMED_OUT",
  "NETWORK_EXCEPTION",
  "REBALANCE_IN_PROGRESS",
]);

/** Whether `err`, or an error it was caused by, is one a broker restart causes and time mends. */
export function isBrokerTransient(err: unknown): boolean {
  for (
    let e = err as { name?: string; type?: string; cause?: unknown } | null, depth = 0;
    e && depth < 10;
    e = e.cause as typeof e, depth++
  ) {
    if ((e.name && TRANSIENT_NAMES.has(e.name)) || (e.type && TRANSIENT_TYPES.has(e.type)))
      return true;
  }
  return false;
}

function describe(err: unknown): string | null {
  if (err === null || err === undefined) return null;
  return err instanceof Error ? err.message : String(err);
}
