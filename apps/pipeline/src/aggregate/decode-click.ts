import { type ClickRecord, EVENT_ID_PATTERN } from "@adclick/shared";

const DEVICES = new Set(["mobile", "desktop", "tablet", "other"]);
const isStr = (v: unknown): v is string => typeof v === "string";
const isOptStr = (v: unknown) => v === null || v === undefined || typeof v === "string";
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Decodes a `clicks.raw` message value. A hand-written check of the
 * ClickRecord shape (the zod schema is the reference): it runs per message on
 * the hot path, several times faster than a schema parse. Null when invalid.
 */
export function decodeClick(value: Buffer | null): ClickRecord | null {
  if (!value) return null;
  let o: unknown;
  try {
    o = JSON.parse(value.toString("utf8"));
  } catch {
    return null;
  }
  return checkClick(o);
}

/**
 * Decodes a whole batch of message values with one JSON.parse of the values
 * joined into an array (a third cheaper than one parse per message); falls
 * back to one parse per message when some value is not JSON (or not one value).
 */
export function decodeClicks(values: ReadonlyArray<Buffer | null>): Array<ClickRecord | null> {
  const parts: Buffer[] = [OPEN];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!v || v.length === 0) return values.map(decodeClick);
    if (i > 0) parts.push(COMMA);
    parts.push(v);
  }
  parts.push(CLOSE);
  let all: unknown;
  try {
    all = JSON.parse(Buffer.concat(parts).toString("utf8"));
  } catch {
    return values.map(decodeClick);
  }
  // A value such as `1,2` would shift every index: trust the array only if the count matches.
  if (!Array.isArray(all) || all.length !== values.length) return values.map(decodeClick);
  return all.map(checkClick);
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

function checkClick(value: unknown): ClickRecord | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (
    !isStr(o.event_id) ||
    !EVENT_ID_PATTERN.test(o.event_id) ||
    !isStr(o.partner_id) ||
    !isStr(o.campaign_id) ||
    !isStr(o.advertiser_id) ||
    !isStr(o.ad_id) ||
    !isStr(o.user_id) ||
    !isStr(o.ip) ||
    !isStr(o.user_agent) ||
    !isInt(o.ts) ||
    !isInt(o.received_at) ||
    !isInt(o.cost_micros) ||
    (o.cost_micros as number) < 0 ||
    !isStr(o.device) ||
    !DEVICES.has(o.device) ||
    !(
      o.country === null ||
      o.country === undefined ||
      (isStr(o.country) && o.country.length === 2)
    ) ||
    !isOptStr(o.publisher_id) ||
    !isOptStr(o.referrer)
  ) {
    return null;
  }
  o.country ??= null;
  o.publisher_id ??= null;
  o.referrer ??= null;
  return o as unknown as ClickRecord;
}
