import { describe, expect, it } from "vitest";
import { sampleValue } from "../../../../test/metrics";

const TEXT = `# HELP adclick_aggregator_events_total Events
# TYPE adclick_aggregator_events_total counter
adclick_aggregator_events_total{verdict="clean",role="aggregate"} 12
adclick_aggregator_events_total{verdict="fraud",role="aggregate"} 3
adclick_aggregator_fraud_model_version{role="aggregate"} 2
adclick_up 1
`;

describe("sampleValue", () => {
  it("matches a sample by name and the labels asked for, whatever else it carries", () => {
    expect(sampleValue(TEXT, 'adclick_aggregator_events_total{verdict="fraud"}')).toBe(3);
    expect(sampleValue(TEXT, "adclick_aggregator_fraud_model_version")).toBe(2);
    expect(sampleValue(TEXT, "adclick_up")).toBe(1);
  });

  it("is null for a name or label nobody has, never a prefix's value", () => {
    expect(sampleValue(TEXT, 'adclick_aggregator_events_total{verdict="suspicious"}')).toBeNull();
    expect(sampleValue(TEXT, "adclick_aggregator_events")).toBeNull();
  });
});
