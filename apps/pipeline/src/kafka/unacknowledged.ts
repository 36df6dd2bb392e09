/**
 * Which messages of a kafkajs send that resolved were not acknowledged.
 *
 * kafkajs 2.2 can resolve a send without writing some of its messages: when a
 * partition's leader moves, during the send's retries, to a broker that already
 * answered for other partitions of the same send, that broker is not asked
 * again (sendMessages keeps one response per broker), so the partition's
 * messages are never sent, yet the promise resolves. Seen when a broker is
 * killed under load: the ingest answered 202 for clicks that never reached
 * clicks.raw.
 *
 * A producer made with `recordingPartitioner` notes the partition chosen for
 * each message object (kafkajs passes ours through, and partitions them again on
 * every retry); `unacknowledged` then checks each against the broker responses.
 */
import { type ICustomPartitioner, Partitioners, type RecordMetadata } from "kafkajs";

const partitionOf = new WeakMap<object, number>();

/** Notes the partition a partitioner chose for `message` (for `unacknowledged`). */
export function notePartition(message: object, partition: number): number {
  partitionOf.set(message, partition);
  return partition;
}

/** `make` (default: kafkajs's Java-compatible partitioner), noting every choice. */
export function recordingPartitioner(
  make: ICustomPartitioner = Partitioners.DefaultPartitioner,
): ICustomPartitioner {
  return () => {
    const inner = make();
    return (args) => notePartition(args.message, inner(args));
  };
}

/**
 * The messages whose partition has no successful entry in the responses of a
 * send that resolved (or that were never partitioned: never sent).
 */
export function unacknowledged<M extends object>(
  messages: readonly M[],
  topicOf: (message: M) => string,
  responses: readonly RecordMetadata[],
): Set<M> {
  // By topic, then partition: no string per message (a send holds thousands).
  const confirmed = new Map<string, Set<number>>();
  for (const r of responses) {
    if (r.errorCode !== 0) continue;
    let partitions = confirmed.get(r.topicName);
    if (!partitions) {
      partitions = new Set();
      confirmed.set(r.topicName, partitions);
    }
    partitions.add(r.partition);
  }
  const out = new Set<M>();
  for (const m of messages) {
    const partition = partitionOf.get(m);
    if (partition === undefined || !confirmed.get(topicOf(m))?.has(partition)) out.add(m);
  }
  return out;
}
