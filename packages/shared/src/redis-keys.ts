import type { Device } from "./click-event";
import { dayKey, windowKey } from "./time-window";

/** A counter dimension in the C3 spelling. */
export type Dimension = "all" | `country:${string}` | `device:${Device}` | `partner:${string}`;

/** The dimensions one click counts in. */
export function dimensionsOf(click: {
  country: string | null;
  device: Device;
  partner_id: string;
}): Dimension[] {
  const dims: Dimension[] = ["all", `device:${click.device}`, `partner:${click.partner_id}`];
  if (click.country) dims.push(`country:${click.country}`);
  return dims;
}

/** Hash tag shared by every key of one campaign (Redis Cluster slot). */
export function campaignTag(campaignId: string): string {
  return `{${campaignId}}`;
}

/** `counter:{<campaign_id>}:<YYYYMMDDHHmm>:<dimension>` for a 5-minute window (C3). */
export function windowCounterKey(
  campaignId: string,
  windowStart: number,
  dimension: Dimension,
): string {
  return `counter:${campaignTag(campaignId)}:${windowKey(windowStart)}:${dimension}`;
}

/** `counter:{<campaign_id>}:<YYYYMMDD>:<dimension>` for a UTC day total (C3). */
export function dayCounterKey(campaignId: string, tsMs: number, dimension: Dimension): string {
  return `counter:${campaignTag(campaignId)}:${dayKey(tsMs)}:${dimension}`;
}

/** The HyperLogLog behind a counter's `unique_users` field. */
export function uniqueUsersKey(counterKey: string): string {
  return `hll:${counterKey.slice("counter:".length)}`;
}

/** Counter hash fields (C3). */
export const COUNTER_FIELDS = [
  "clicks",
  "unique_users",
  "cost_micros",
  "suspicious",
  "fraud",
] as const;
export type CounterField = (typeof COUNTER_FIELDS)[number];

/** 5-minute keys expire 24 h after their window ends; day keys live 72 h after the day ends. */
export const WINDOW_TTL_AFTER_END_S = 24 * 60 * 60;
export const DAY_TTL_AFTER_END_S = 72 * 60 * 60;
