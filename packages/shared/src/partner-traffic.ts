/**
 * Per-partner ingest traffic by minute, as the ingest records it in Redis and
 * the admins' partner screen charts it: accepted, duplicate and rejected events
 * (rejections by reason) and refused requests (429 and 401). One hash per
 * partner and minute, `traffic:{<partner_id>}:<YYYYMMDDHHmm>`, kept 48 hours.
 */
import { z } from "zod";
import { windowKey } from "./time-window";

export const TRAFFIC_TTL_SECONDS = 48 * 3600;
export const MINUTE_MS = 60_000;

export function trafficKey(partnerId: string, minuteStartMs: number): string {
  return `traffic:{${partnerId}}:${windowKey(minuteStartMs)}`;
}

export function minuteStartMs(tsMs: number): number {
  return Math.floor(tsMs / MINUTE_MS) * MINUTE_MS;
}

/** Hash fields: these counts, and `reason:<code>` per rejection reason. */
export const TRAFFIC_FIELDS = ["accepted", "duplicate", "rejected", "throttled", "unauthorized"];

export const REJECTION_REASONS = [
  "unknown_campaign",
  "inactive_campaign",
  "ts_out_of_range",
  "invalid_json",
  "not_an_object",
  "invalid_event_id",
  "invalid_campaign_id",
  "invalid_ad_id",
  "invalid_user_id",
  "invalid_ip",
  "invalid_user_agent",
  "invalid_ts",
  "invalid_country",
  "invalid_device",
  "invalid_publisher_id",
  "invalid_referrer",
  "invalid_event",
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

const FIELD_REASONS: Record<string, RejectionReason> = {
  event_id: "invalid_event_id",
  campaign_id: "invalid_campaign_id",
  ad_id: "invalid_ad_id",
  user_id: "invalid_user_id",
  ip: "invalid_ip",
  user_agent: "invalid_user_agent",
  ts: "invalid_ts",
  country: "invalid_country",
  device: "invalid_device",
  publisher_id: "invalid_publisher_id",
  referrer: "invalid_referrer",
};

/** A bounded reason code for one rejection message of the ingest (the message itself is free text). */
export function rejectionReason(message: string): RejectionReason {
  if (/^campaign_id ".*" is unknown$/.test(message)) return "unknown_campaign";
  if (/^campaign ".*" is \w+$/.test(message)) return "inactive_campaign";
  if (/^ts is more than /.test(message)) return "ts_out_of_range";
  if (message === "line is not valid JSON") return "invalid_json";
  if (message === "event must be a JSON object") return "not_an_object";
  const field = /^([a-z_]+)\b/.exec(message)?.[1];
  return (field && FIELD_REASONS[field]) || "invalid_event";
}

/** One minute of one partner's traffic as the partner screen draws it. */
export const TrafficMinute = z.object({
  minuteStartMs: z.number().int(),
  accepted: z.number().int().nonnegative(),
  duplicate: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  throttled: z.number().int().nonnegative(),
  unauthorized: z.number().int().nonnegative(),
  reasons: z.record(z.string(), z.number().int().nonnegative()),
});
export type TrafficMinute = z.infer<typeof TrafficMinute>;

/** Reads a traffic hash (HGETALL's answer) into a minute; unknown fields are ignored. */
export function parseTrafficHash(minute: number, hash: Record<string, string>): TrafficMinute {
  const n = (field: string) => Number(hash[field] ?? 0) || 0;
  const reasons: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith("reason:")) reasons[field.slice("reason:".length)] = Number(value) || 0;
  }
  return {
    minuteStartMs: minute,
    accepted: n("accepted"),
    duplicate: n("duplicate"),
    rejected: n("rejected"),
    throttled: n("throttled"),
    unauthorized: n("unauthorized"),
    reasons,
  };
}

/** The minute starts of the last `minutes` minutes up to and including now's, oldest first. */
export function lastMinutes(nowMs: number, minutes: number): number[] {
  const end = minuteStartMs(nowMs);
  return Array.from({ length: minutes }, (_, i) => end - (minutes - 1 - i) * MINUTE_MS);
}
