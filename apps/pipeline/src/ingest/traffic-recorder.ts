/**
 * Records each partner's ingest traffic by minute in Redis (see
 * @adclick/shared/partner-traffic) for the admins' partner screen. Requests add
 * to counts in memory, written every `flushMs` as one pipeline for all
 * partners (one HINCRBY per field and minute, not a round trip per request).
 * Never awaited by a request: a slow or failed write never delays or fails the
 * partner's answer (a lost flush only thins the chart).
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

/** Often enough for a chart by minute, rarely enough to cost nothing per request. */
export const TRAFFIC_FLUSH_MS = 200;

export class TrafficRecorder {
  /** Counts not yet written: traffic key -> field -> n. */
  private pending = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly flushMs = TRAFFIC_FLUSH_MS,
  ) {}

  record(partnerId: string, traffic: RequestTraffic, nowMs = Date.now()): void {
    const key = trafficKey(partnerId, minuteStartMs(nowMs));
    let fields = this.pending.get(key);
    const add = (field: string, n: number) => {
      if (n <= 0) return;
      if (!fields) {
        fields = new Map();
        this.pending.set(key, fields);
      }
      fields.set(field, (fields.get(field) ?? 0) + n);
    };
    add("accepted", traffic.accepted ?? 0);
    add("duplicate", traffic.duplicate ?? 0);
    add("rejected", traffic.rejections?.length ?? 0);
    for (const message of traffic.rejections ?? []) add(`reason:${rejectionReason(message)}`, 1);
    if (traffic.throttled) add("throttled", 1);
    if (traffic.unauthorized) add("unauthorized", 1);
    if (fields && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what has been recorded so far (on a cluster, one pipeline per partner's slot). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all(
      [...batch].map(([key, fields]) => {
        const pipeline = this.redis.pipeline();
        for (const [field, n] of fields) pipeline.hincrby(key, field, n);
        pipeline.expire(key, TRAFFIC_TTL_SECONDS);
        return pipeline.exec().catch((err: Error) => {
          this.logger.debug({ err: err.message, key }, "traffic not recorded");
        });
      }),
    );
  }
}
