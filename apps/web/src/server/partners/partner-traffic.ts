import type { CounterRedis } from "@adclick/shared/live-counters";
import {
  lastMinutes,
  parseTrafficHash,
  type TrafficMinute,
  trafficKey,
} from "@adclick/shared/partner-traffic";

export interface PartnerTraffic {
  partnerId: string;
  minutes: TrafficMinute[];
}

/**
 * Each partner's traffic for the last `minutes` minutes, as the ingest recorded
 * it. One pipeline per partner: its keys share the partner's hash tag (one
 * cluster slot).
 */
export async function readPartnerTraffic(
  redis: CounterRedis,
  partnerIds: readonly string[],
  minutes: number,
  nowMs: number,
): Promise<PartnerTraffic[]> {
  const starts = lastMinutes(nowMs, minutes);
  return Promise.all(
    partnerIds.map(async (partnerId) => {
      const pipeline = redis.pipeline();
      for (const start of starts) pipeline.hgetall(trafficKey(partnerId, start));
      const replies = (await pipeline.exec()) ?? [];
      return {
        partnerId,
        minutes: starts.map((start, i) => {
          const [err, hash] = replies[i] ?? [null, {}];
          if (err) throw err;
          return parseTrafficHash(start, (hash ?? {}) as Record<string, string>);
        }),
      };
    }),
  );
}
