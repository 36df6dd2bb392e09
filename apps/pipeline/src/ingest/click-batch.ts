/**
 * The pure part of a click request: validate each item with the shared schema,
 * drop repeats inside the batch, reject unknown or inactive campaigns, and build
 * the enriched ClickRecords. No I/O here.
 */
import type { CampaignPricing } from "@adclick/db/queries";
import {
  ClickEventInput,
  type ClickEventParsed,
  type ClickRecord,
  clickTimeBoundError,
  describeIssue,
} from "@adclick/shared";
import { deviceFromUserAgent } from "./device";
import { countryFromIp } from "./geo-country";
import type { BodyItem } from "./request-body";

export interface Rejection {
  index: number;
  error: string;
}

export interface ValidEvent {
  index: number;
  event: ClickEventParsed;
}

export interface ValidatedBatch {
  valid: ValidEvent[];
  rejected: Rejection[];
  /** Items whose event_id repeats an earlier item of the same batch. */
  repeats: number;
}

/** Validates each item with the shared schema and the C1 `ts` bounds around `receivedAt`. */
export function validateBatch(items: readonly BodyItem[], receivedAt: number): ValidatedBatch {
  const valid: ValidEvent[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let repeats = 0;
  items.forEach((item, index) => {
    if ("error" in item) {
      rejected.push({ index, error: item.error });
      return;
    }
    const value = item.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      rejected.push({ index, error: "event must be a JSON object" });
      return;
    }
    const parsed = ClickEventInput.safeParse(value);
    if (!parsed.success) {
      rejected.push({ index, error: describeIssue(parsed.error) });
      return;
    }
    const tsError = clickTimeBoundError(parsed.data.ts, receivedAt);
    if (tsError) {
      rejected.push({ index, error: tsError });
      return;
    }
    if (seen.has(parsed.data.event_id)) {
      repeats++;
      return;
    }
    seen.add(parsed.data.event_id);
    valid.push({ index, event: parsed.data });
  });
  return { valid, rejected, repeats };
}

/** Splits valid events into those whose campaign takes clicks and rejections for the rest. */
export function checkCampaigns(
  valid: readonly ValidEvent[],
  campaigns: ReadonlyMap<string, CampaignPricing | null>,
): { billable: Array<ValidEvent & { campaign: CampaignPricing }>; rejected: Rejection[] } {
  const billable: Array<ValidEvent & { campaign: CampaignPricing }> = [];
  const rejected: Rejection[] = [];
  for (const v of valid) {
    const campaign = campaigns.get(v.event.campaign_id);
    if (!campaign)
      rejected.push({ index: v.index, error: `campaign_id "${v.event.campaign_id}" is unknown` });
    else if (campaign.status !== "active")
      rejected.push({ index: v.index, error: `campaign "${campaign.id}" is ${campaign.status}` });
    else billable.push({ index: v.index, event: v.event, campaign });
  }
  return { billable, rejected };
}

export function toClickRecord(
  event: ClickEventParsed,
  campaign: CampaignPricing,
  partnerId: string,
  receivedAt: number,
): ClickRecord {
  return {
    event_id: event.event_id,
    partner_id: partnerId,
    campaign_id: event.campaign_id,
    advertiser_id: campaign.advertiserId,
    ad_id: event.ad_id,
    user_id: event.user_id,
    ip: event.ip,
    user_agent: event.user_agent,
    ts: event.ts,
    received_at: receivedAt,
    country: event.country ?? countryFromIp(event.ip),
    device: event.device ?? deviceFromUserAgent(event.user_agent),
    publisher_id: event.publisher_id ?? null,
    referrer: event.referrer ?? null,
    cost_micros: campaign.cpcMicros,
  };
}

/** What `clicks.rejected` holds: the reason and (truncated) the event as sent, for the partner's support view. */
export interface RejectedRecord {
  partner_id: string;
  receipt: string;
  index: number;
  error: string;
  received_at: number;
  /** The item as sent, JSON, cut at 4 KiB. */
  event: string;
}

const MAX_REJECTED_EVENT_CHARS = 4096;

export function toRejectedRecord(
  item: BodyItem | undefined,
  rejection: Rejection,
  partnerId: string,
  receipt: string,
  receivedAt: number,
): RejectedRecord {
  let event = "";
  if (item && "value" in item) {
    try {
      event = JSON.stringify(item.value) ?? "";
    } catch {
      event = "";
    }
  }
  return {
    partner_id: partnerId,
    receipt,
    index: rejection.index,
    error: rejection.error,
    received_at: receivedAt,
    event:
      event.length > MAX_REJECTED_EVENT_CHARS ? event.slice(0, MAX_REJECTED_EVENT_CHARS) : event,
  };
}
