import { Counter, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { totalsByOutcome, trafficSince } from "./traffic-summary";

describe("ingest traffic summary", () => {
  it("sums events by outcome over every partner", async () => {
    const events = new Counter({
      name: "t_events_total",
      help: "t",
      labelNames: ["partner", "outcome"] as const,
      registers: [new Registry()],
    });
    events.inc({ partner: "a", outcome: "accepted" }, 3);
    events.inc({ partner: "b", outcome: "accepted" }, 4);
    events.inc({ partner: "b", outcome: "rejected" }, 1);
    expect(await totalsByOutcome(events)).toEqual({ accepted: 7, rejected: 1 });
  });

  it("reports only what changed, and nothing when nothing did", () => {
    expect(trafficSince({ accepted: 7 }, { accepted: 10, duplicate: 2 })).toEqual({
      accepted: 3,
      duplicate: 2,
    });
    expect(trafficSince({ accepted: 7 }, { accepted: 7 })).toBeNull();
  });
});
