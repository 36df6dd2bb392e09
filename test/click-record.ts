import type { ClickRecord } from "@adclick/shared";

/** A valid `clicks.raw` record for tests: campaign c1 of partner p1, one US mobile click at `ts`. */
export function clickRecord(ts: number, over: Partial<ClickRecord> = {}): ClickRecord {
  return {
    event_id: "e",
    partner_id: "p1",
    campaign_id: "c1",
    advertiser_id: "a",
    ad_id: "ad",
    user_id: "u1",
    ip: "198.51.100.1",
    user_agent: "Mozilla/5.0",
    ts,
    received_at: ts,
    country: "US",
    device: "mobile",
    publisher_id: null,
    referrer: null,
    cost_micros: 100,
    ...over,
  };
}
