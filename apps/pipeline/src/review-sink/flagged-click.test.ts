import type { ClickRecord } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { toReviewItem } from "./flagged-click";

const click: ClickRecord = {
  event_id: "evt-1",
  partner_id: "p1",
  campaign_id: "c1",
  advertiser_id: "a1",
  ad_id: "ad-1",
  user_id: "u-1",
  ip: "198.51.100.7",
  user_agent: "Mozilla/5.0",
  ts: Date.UTC(2026, 10, 28, 12, 0, 0),
  received_at: Date.UTC(2026, 10, 28, 12, 0, 1),
  country: "US",
  device: "desktop",
  publisher_id: null,
  referrer: null,
  cost_micros: 250_000,
};

describe("toReviewItem", () => {
  it("maps a flagged click to a review-queue row, keeping the click without the decision", () => {
    const result = toReviewItem(
      JSON.stringify({ ...click, risk: 0.42, reasons: ["data_centre_ip"] }),
    );
    expect(result).toEqual({
      ok: true,
      item: {
        partnerId: "p1",
        eventId: "evt-1",
        campaignId: "c1",
        advertiserId: "a1",
        clickTs: new Date(click.ts),
        risk: 0.42,
        reasons: ["data_centre_ip"],
        click,
      },
    });
  });

  it("explains what is wrong with a bad message", () => {
    expect(toReviewItem(null)).toEqual({ ok: false, error: "empty message" });
    expect(toReviewItem(Buffer.from("{nope"))).toEqual({ ok: false, error: "message is not JSON" });
    expect(toReviewItem(JSON.stringify({ ...click, risk: 0.5 }))).toEqual({
      ok: false,
      error: "reasons is required",
    });
    expect(toReviewItem(JSON.stringify({ ...click, risk: 3, reasons: [] }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^risk/),
    });
  });
});
