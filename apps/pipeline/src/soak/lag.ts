import type { Admin } from "kafkajs";

/**
 * Messages of `topic` the group has not committed yet, summed over partitions
 * (a partition the group never committed counts from its low watermark).
 */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const at = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
  let lag = 0;
  for (const p of ends) {
    const done = at.get(p.partition) ?? -1;
    lag += Number(p.high) - (done >= 0 ? done : Number(p.low));
  }
  return lag;
}
