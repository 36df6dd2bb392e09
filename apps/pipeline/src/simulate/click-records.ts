import type { ClickRecord } from "@adclick/shared";
import type { SimCampaign, SimEvent } from "./generate-traffic";

/**
 * A simulated event as the ingest writes it to clicks.raw (C1, C2): partner
 * from the event's key, cost from the campaign's price, device as the ingest
 * records it. Tests and the bench that feed Kafka directly use this, so they
 * consume the simulator's traffic rather than a generator of their own.
 */
export function toClickRecord(
  event: SimEvent,
  campaigns: ReadonlyMap<string, SimCampaign>,
  receivedAtMs: number,
): ClickRecord {
  const b = event.body;
  const campaign = campaigns.get(b.campaign_id);
  if (!campaign) throw new Error(`toClickRecord: unknown campaign ${b.campaign_id}`);
  return {
    event_id: b.event_id,
    partner_id: event.partnerId,
    campaign_id: b.campaign_id,
    advertiser_id: `adv-${b.campaign_id}`,
    ad_id: b.ad_id,
    user_id: b.user_id,
    ip: b.ip,
    user_agent: b.user_agent,
    ts: b.ts,
    received_at: receivedAtMs,
    country: b.country,
    device: event.device,
    publisher_id: b.publisher_id,
    referrer: null,
    cost_micros: campaign.cpcMicros,
  };
}
