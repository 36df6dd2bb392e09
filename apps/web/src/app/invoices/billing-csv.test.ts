import { describe, expect, it } from "vitest";
import { billingCsv } from "./billing-csv";

const row = {
  day: "2026-10-06",
  advertiserId: "acme",
  campaignId: "acme-1",
  dimension: "all",
  clicks: 7,
  uniqueUsers: 6,
  costMicros: 2_333_331,
  fraudClicks: 1,
  suspiciousClicks: 2,
};

describe("billingCsv", () => {
  it("prints one line per row with exact micros and an unrounded decimal, quoting where needed", () => {
    const csv = billingCsv([row, { ...row, dimension: "partner:a,b", costMicros: 5 }]);
    expect(csv.split("\r\n")).toEqual([
      "day,advertiser,campaign,dimension,clicks,unique_users,suspicious_clicks,fraud_clicks,cost_micros,cost",
      "2026-10-06,acme,acme-1,all,7,6,2,1,2333331,2.333331",
      '2026-10-06,acme,acme-1,"partner:a,b",7,6,2,1,5,0.000005',
      "",
    ]);
  });

  it("is only the header when nothing was billed", () => {
    expect(billingCsv([]).trimEnd().split("\r\n")).toHaveLength(1);
  });
});
