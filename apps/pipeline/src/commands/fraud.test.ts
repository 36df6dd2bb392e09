import { FEATURE_NAMES } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { analystExamples } from "./fraud";

const click = {
  event_id: "e1",
  partner_id: "p1",
  campaign_id: "c1",
  advertiser_id: "a1",
  ad_id: "ad1",
  user_id: "u1",
  ip: "81.2.3.4",
  user_agent: "Mozilla/5.0",
  ts: 1_760_000_000_000,
  received_at: 1_760_000_000_100,
  country: "GB",
  device: "desktop",
  publisher_id: null,
  referrer: null,
  cost_micros: 1000,
};

describe("analysts' verdicts as training labels", () => {
  it("labels each decided click with the features it was flagged with; clicks stored without features are skipped", () => {
    const features = FEATURE_NAMES.map((_, i) => i / 10);
    const { examples, skipped } = analystExamples([
      {
        click: { ...click, features, versions: { rules: "rules-2", lists: "x", model: "v1" } },
        verdict: "fraud",
      },
      { click: { ...click, event_id: "e2", features }, verdict: "clean" },
      { click: { ...click, event_id: "e3" }, verdict: "fraud" },
      { click: { ...click, event_id: "e4", features: [1, 2] }, verdict: "fraud" },
    ]);
    expect(skipped).toBe(2);
    expect(examples.map((e) => [e.click.event_id, e.label])).toEqual([
      ["e1", 1],
      ["e2", 0],
    ]);
    expect(examples[0]!.features).toEqual(features);
    expect(examples[0]!.click).not.toHaveProperty("features");
  });
});
