import { describe, expect, it } from "vitest";
import { ClickEventInput, describeIssue } from "./click-event";

const valid = {
  event_id: "evt_1-A",
  campaign_id: "cmp-1",
  ad_id: "ad-1",
  user_id: "u-1",
  ip: "203.0.113.9",
  user_agent: "Mozilla/5.0",
  ts: "2026-11-27T12:00:00Z",
};

const reason = (input: unknown) => {
  const r = ClickEventInput.safeParse(input);
  return r.success ? null : describeIssue(r.error);
};

describe("ClickEventInput", () => {
  it("accepts a minimal event and normalises ts to epoch ms", () => {
    const r = ClickEventInput.parse(valid);
    expect(r.ts).toBe(Date.UTC(2026, 10, 27, 12));
  });

  it("accepts epoch milliseconds, IPv6, and upper-cases the country", () => {
    const r = ClickEventInput.parse({
      ...valid,
      ts: 1764244800000,
      ip: "2001:db8::1",
      country: "de",
      device: "tablet",
    });
    expect(r).toMatchObject({
      ts: 1764244800000,
      ip: "2001:db8::1",
      country: "DE",
      device: "tablet",
    });
  });

  it("accepts ISO-8601 with an offset", () => {
    expect(ClickEventInput.parse({ ...valid, ts: "2026-11-27T13:00:00.250+01:00" }).ts).toBe(
      Date.UTC(2026, 10, 27, 12, 0, 0, 250),
    );
  });

  it("drops partner_id and cost from the body", () => {
    const r = ClickEventInput.parse({ ...valid, partner_id: "evil", cost_micros: 1 });
    expect(r).not.toHaveProperty("partner_id");
    expect(r).not.toHaveProperty("cost_micros");
  });

  it.each([
    [{ ...valid, event_id: undefined }, "event_id"],
    [{ ...valid, event_id: "a".repeat(65) }, "event_id must be 1-64"],
    [{ ...valid, event_id: "has space" }, "event_id must be 1-64"],
    [{ ...valid, event_id: "" }, "event_id must be 1-64"],
    [{ ...valid, campaign_id: undefined }, "campaign_id is required"],
    [{ ...valid, ip: "999.1.1.1" }, "ip must be an IPv4 or IPv6 address"],
    [{ ...valid, ts: "yesterday" }, "ts must be ISO-8601"],
    [{ ...valid, ts: 1764244800 }, "before 2000-01-01"],
    [{ ...valid, ts: Date.now() + 3 * 86_400_000 }, "in the future"],
    [{ ...valid, ts: 1.5e12 + 0.5 }, "whole number"],
    [{ ...valid, country: "USA" }, "country must be an ISO 3166-1 alpha-2"],
    [{ ...valid, device: "phone" }, "device"],
  ])("rejects %j with a reason naming the field", (input, expected) => {
    expect(reason(input)).toContain(expected);
  });
});
