import { groupName, topicName } from "@adclick/shared";
import { type Admin, Kafka, logLevel } from "kafkajs";

/** The pipeline's consumer groups and the topic each reads (their names as the roles build them). */
export const CONSUMER_ROLES = [
  { role: "aggregator", topic: "raw" },
  { role: "archiver", topic: "raw" },
  { role: "review-sink", topic: "flagged" },
] as const;

export interface ConsumerLag {
  role: string;
  group: string;
  topic: string;
  /** Messages received but not yet committed by the group, over every partition. */
  lag: number;
  /** Consumers in the group now; 0 when the role is not running. */
  members: number;
  state: string;
}

/** Lag of each role's consumer group: end offsets minus committed offsets, summed over partitions. */
export async function readConsumerLag(kafka: Kafka, prefix: string): Promise<ConsumerLag[]> {
  const admin = await sharedAdmin(kafka);
  try {
    const groups = CONSUMER_ROLES.map((r) => ({
      ...r,
      group: groupName(prefix, r.role),
      topicName: topicName(prefix, r.topic),
    }));
    const described = await admin.describeGroups(groups.map((g) => g.group));
    const existing = new Set((await admin.listTopics()).filter(Boolean));
    return Promise.all(
      groups.map(async (g) => {
        const info = described.groups.find((d) => d.groupId === g.group);
        if (!existing.has(g.topicName))
          return {
            role: g.role,
            group: g.group,
            topic: g.topicName,
            lag: 0,
            members: 0,
            state: "no topic",
          };
        const ends = await admin.fetchTopicOffsets(g.topicName);
        const [committed] = await admin.fetchOffsets({ groupId: g.group, topics: [g.topicName] });
        let lag = 0;
        for (const end of ends) {
          const c = committed?.partitions.find((p) => p.partition === end.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
          lag += Math.max(0, Number(end.high) - at);
        }
        return {
          role: g.role,
          group: g.group,
          topic: g.topicName,
          lag,
          members: info?.members.length ?? 0,
          state: info?.state ?? "Unknown",
        };
      }),
    );
  } catch (error) {
    // A broken connection is dropped; the next read connects afresh.
    admins.delete(kafka);
    await admin.disconnect().catch(() => undefined);
    throw error;
  }
}

/** One connected admin client per Kafka client, shared by concurrent reads. */
const admins = new Map<Kafka, Promise<Admin>>();

function sharedAdmin(kafka: Kafka): Promise<Admin> {
  let admin = admins.get(kafka);
  if (!admin) {
    const client = kafka.admin();
    admin = client.connect().then(() => client);
    admin.catch(() => admins.delete(kafka));
    admins.set(kafka, admin);
  }
  return admin;
}

let kafka: Kafka | null = null;

/** The web's one Kafka client. */
export function webKafka(brokers: readonly string[]): Kafka {
  kafka ??= new Kafka({
    clientId: "adclick-web",
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 5_000,
    retry: { retries: 1 },
  });
  return kafka;
}
