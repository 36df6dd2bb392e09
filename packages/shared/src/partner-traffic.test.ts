import { describe, expect, it } from "vitest";
import { lastMinutes, parseTrafficHash, rejectionReason, trafficKey } from "./partner-traffic";

describe("partner traffic", () => {
  it("keys a partner's minute with the partner as the cluster hash tag", () => {
    expect(trafficKey("p-1", Date.UTC(2026, 11, 3, 6, 41, 30))).toBe("traffic:{p-1}:202612030641");
  });

  it("reduces the ingest's rejection messages to a few reason codes", () => {
    expect(rejectionReason('campaign_id "x" is unknown')).toBe("unknown_campaign");
    expect(rejectionReason('campaign "c1" is paused')).toBe("inactive_campaign");
    expect(rejectionReason("ts is more than 7 days before the receive time")).toBe(
      "ts_out_of_range",
    );
    expect(rejectionReason("line is not valid JSON")).toBe("invalid_json");
    expect(rejectionReason("event must be a JSON object")).toBe("not_an_object");
    expect(rejectionReason("ip must be an IPv4 or IPv6 address")).toBe("invalid_ip");
    expect(rejectionReason("event_id is required")).toBe("invalid_event_id");
    expect(rejectionReason("country: must be two letters")).toBe("invalid_country");
    expect(rejectionReason("something odd")).toBe("invalid_event");
  });

  it("reads a hash into counts and reasons, treating missing fields as zero", () => {
    expect(
      parseTrafficHash(60_000, { accepted: "5", "reason:invalid_ip": "2", rejected: "2" }),
    ).toEqual({
      minuteStartMs: 60_000,
      accepted: 5,
      duplicate: 0,
      rejected: 2,
      throttled: 0,
      unauthorized: 0,
      reasons: { invalid_ip: 2 },
    });
  });

  it("lists the last minutes oldest first, ending with the current one", () => {
    expect(lastMinutes(185_000, 3)).toEqual([60_000, 120_000, 180_000]);
  });
});
