/**
 * Records each partner's ingest traffic by minute in Redis (see
 * @adclick/shared/partner-traffic) for the admins' partner screen. One pipelined
 * write per request, not awaited: a slow or failed write never delays or fails
 * the partner's answer (a lost minute only thins the chart).
 */
import {
  minuteStartMs,
  rejectionReason,
  TRAFFIC_TTL_SECONDS,
  trafficKey,
} from "@adclick/shared/partner-traffic";
import type { RedisClient } from "@adclick/shared/redis";
import type { Logger } from "../runtime/logger";

export interface RequestTraffic {
  accepted?: number;
  duplicate?: number;
  /** The rejection messages of the request's events. */
  rejections?: readonly string[];
  throttled?: boolean;
  unauthorized?: boolean;
}

export class TrafficRecorder {
  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
  ) {}

  record(partnerId: string, traffic: RequestTraffic, nowMs = Date.now()): void {
    const fields = new Map<string, number>();
    const add = (field: string, n: number) => {
      if (n > 0) fields.set(field, (fields.get(field) ?? 0) + n);
    };
    add("accepted", traffic.accepted ?? 0);
    add("duplicate", traffic.duplicate ?? 0);
    add("rejected", traffic.rejections?.length ?? 0);
    for (const message of traffic.rejections ?? []) add(`reason:${rejectionReason(message)}`, 1);
    if (traffic.throttled) add("throttled", 1);
    if (traffic.unauthorized) add("unauthorized", 1);
    if (fields.size === 0) return;
    const key = trafficKey(partnerId, minuteStartMs(nowMs));
    const pipeline = this.redis.pipeline();
    for (const [field, n] of fields) pipeline.hincrby(key, field, n);
    pipeline.expire(key, TRAFFIC_TTL_SECONDS);
    pipeline.exec().catch((err: Error) => {
      this.logger.debug({ err: err.message, partner: partnerId }, "traffic not recorded");
    });
  }
}
