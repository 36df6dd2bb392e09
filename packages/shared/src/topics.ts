/** Kafka topics (C2). Every name gets the deployment's KAFKA_TOPIC_PREFIX (C7). */
export const TOPICS = {
  raw: "clicks.raw",
  flagged: "clicks.flagged",
  fraud: "clicks.fraud",
  rejected: "clicks.rejected",
} as const;
export type TopicName = keyof typeof TOPICS;

export function topicName(prefix: string, topic: TopicName): string {
  return `${prefix}${TOPICS[topic]}`;
}

/** Consumer groups are prefixed the same way, so deployments sharing a broker never mix offsets. */
export function groupName(prefix: string, role: string): string {
  return `${prefix}adclick.${role}`;
}
