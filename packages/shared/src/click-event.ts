import { z } from "zod";

/** Devices a click can be attributed to (C1). */
export const Device = z.enum(["mobile", "desktop", "tablet", "other"]);
export type Device = z.infer<typeof Device>;

const idString = (field: string, max = 128) =>
  z
    .string({ error: `${field} is required and must be a string` })
    .trim()
    .min(1, { error: `${field} must not be empty` })
    .max(max, { error: `${field} must be at most ${max} characters` });

/** Earliest and latest click times we accept: before 2000 or more than a day ahead is a bug. */
const MIN_TS_MS = Date.UTC(2000, 0, 1);
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

/** `ts` as ISO-8601 (with a zone) or epoch milliseconds, normalised to epoch ms. */
export const ClickTime = z
  .union([z.number(), z.string()], {
    error: "ts is required: ISO-8601 string or epoch milliseconds",
  })
  .transform((value, ctx) => {
    let ms: number;
    if (typeof value === "number") {
      ms = value;
    } else if (/^\d{1,16}$/.test(value)) {
      ms = Number(value);
    } else if (
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)
    ) {
      ms = Date.parse(value);
    } else {
      ctx.addIssue({
        code: "custom",
        message:
          "ts must be ISO-8601 with a time zone (e.g. 2026-01-31T12:00:00Z) or epoch milliseconds",
      });
      return z.NEVER;
    }
    if (!Number.isInteger(ms) || Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: "ts must be a whole number of epoch milliseconds" });
      return z.NEVER;
    }
    if (ms < MIN_TS_MS) {
      ctx.addIssue({
        code: "custom",
        message: "ts is before 2000-01-01; send epoch milliseconds, not seconds",
      });
      return z.NEVER;
    }
    if (ms > Date.now() + MAX_FUTURE_MS) {
      ctx.addIssue({ code: "custom", message: "ts is more than 24 h in the future" });
      return z.NEVER;
    }
    return ms;
  });

/** C1: a click time must lie between 7 days before and 5 minutes after the receive time. */
export const CLICK_TS_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
export const CLICK_TS_MAX_AHEAD_MS = 5 * 60 * 1000;

/**
 * Why `ts` (epoch ms) is outside the C1 bounds around `receivedAt`, or null. Older
 * clicks cannot reach a billing day that is already closed (C11); future ones would
 * move watermarks.
 */
export function clickTimeBoundError(ts: number, receivedAt: number): string | null {
  if (ts < receivedAt - CLICK_TS_MAX_AGE_MS)
    return "ts is more than 7 days before the receive time";
  if (ts > receivedAt + CLICK_TS_MAX_AHEAD_MS)
    return "ts is more than 5 minutes after the receive time";
  return null;
}

/**
 * A C1 event id: the idempotency key. Never contains "," or ";", which the ingest
 * and the aggregator use to pack ids for their Redis scripts.
 */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** An event as a partner sends it to `POST /v1/clicks` (C1). */
export const ClickEventInput = z
  .object({
    event_id: z
      .string({ error: "event_id is required and must be a string" })
      .regex(EVENT_ID_PATTERN, {
        error: "event_id must be 1-64 characters of A-Z a-z 0-9 _ -",
      }),
    campaign_id: idString("campaign_id"),
    ad_id: idString("ad_id"),
    user_id: idString("user_id", 256),
    ip: z.union([z.ipv4(), z.ipv6()], { error: "ip must be an IPv4 or IPv6 address" }),
    user_agent: z
      .string({ error: "user_agent is required and must be a string" })
      .max(1024, { error: "user_agent must be at most 1024 characters" }),
    ts: ClickTime,
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, { error: "country must be an ISO 3166-1 alpha-2 code such as US" })
      .transform((c) => c.toUpperCase())
      .optional(),
    device: Device.optional(),
    publisher_id: idString("publisher_id").optional(),
    referrer: z
      .string()
      .max(2048, { error: "referrer must be at most 2048 characters" })
      .optional(),
  })
  .strip();
export type ClickEventInput = z.input<typeof ClickEventInput>;
export type ClickEventParsed = z.output<typeof ClickEventInput>;

/**
 * A click as the ingest writes it to `clicks.raw`: validated, normalised and
 * enriched. `partner_id` comes from the API key and `cost_micros` from the
 * campaign, never from the partner's body.
 */
export const ClickRecord = z.object({
  event_id: z.string(),
  partner_id: z.string(),
  campaign_id: z.string(),
  advertiser_id: z.string(),
  ad_id: z.string(),
  user_id: z.string(),
  ip: z.string(),
  user_agent: z.string(),
  /** Click time, epoch ms. */
  ts: z.number().int(),
  /** When the ingest received it, epoch ms. */
  received_at: z.number().int(),
  country: z.string().length(2).nullable(),
  device: Device,
  publisher_id: z.string().nullable(),
  referrer: z.string().nullable(),
  cost_micros: z.number().int().nonnegative(),
});
export type ClickRecord = z.infer<typeof ClickRecord>;

/** Reads the first issue of a failed parse as one readable line. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid event";
  const path = issue.path.join(".");
  if (issue.code === "invalid_type" && issue.input === undefined && path)
    return `${path} is required`;
  if (issue.message.startsWith(path)) return issue.message;
  return path ? `${path}: ${issue.message}` : issue.message;
}
