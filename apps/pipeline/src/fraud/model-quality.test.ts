import { confusionAt, rocAuc } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { featureRows, labelledDay } from "./labelled-examples";
import { scoreExamples, trainModel } from "./train-model";

describe("the trained fraud model on a held-out simulated day", () => {
  it("meets the quality bar on a day of a seed it never saw, and leaves heavy-clicking humans alone", () => {
    const trained = trainModel({ seed: 1, heldOutSeed: 2 });
    // A third day, of a seed neither training nor its own hold-out used.
    const day = labelledDay(424242, { dayStartMs: Date.UTC(2026, 2, 3) });
    const scores = scoreExamples(
      trained.params,
      day,
      featureRows(day.map((e) => e.click)).behaviour,
    );
    const labels = day.map((e) => e.label);
    const auc = rocAuc(scores, labels);
    const at07 = confusionAt(scores, labels, 0.7);
    const heavy = day
      .map((e, i) => [e, scores[i]!] as const)
      .filter(([e]) => e.source === "heavy-human");
    const heavyFpr = heavy.filter(([, s]) => s >= 0.7).length / heavy.length;
    const heavySuspicious = heavy.filter(([, s]) => s >= 0.3).length / heavy.length;
    console.log(
      `AUC ${auc.toFixed(4)}; at 0.7 precision ${at07.precision.toFixed(4)} recall ${at07.recall.toFixed(4)}; heavy humans ${heavy.length} clicks, FPR ${(heavyFpr * 100).toFixed(3)} % (suspicious or worse ${(heavySuspicious * 100).toFixed(3)} %)`,
    );
    expect(day.filter((e) => e.label === 1).length).toBeGreaterThan(10_000);
    expect(heavy.length).toBeGreaterThan(5_000);
    expect(auc).toBeGreaterThanOrEqual(0.95);
    expect(at07.precision).toBeGreaterThanOrEqual(0.95);
    expect(at07.recall).toBeGreaterThanOrEqual(0.8);
    expect(heavyFpr).toBeLessThanOrEqual(0.01);
    // Every kind of labelled fraud is caught, not only the common ones.
    for (const p of ["click-farm", "click-spam", "ua-rotator", "slow-bot", "dc-bot", "crawler"]) {
      const of = day.map((e, i) => [e, scores[i]!] as const).filter(([e]) => e.source === p);
      expect(of.filter(([, s]) => s >= 0.7).length / of.length, p).toBeGreaterThanOrEqual(0.8);
    }
    // The stored quality is the trainer's own hold-out, with both thresholds.
    expect(trained.quality.at.map((c) => c.threshold)).toEqual([0.3, 0.7]);
    expect(trained.quality.rocAuc).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
