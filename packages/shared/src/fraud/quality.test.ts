import { describe, expect, it } from "vitest";
import { confusionAt, quality, qualityOnDecisions, rocAuc } from "./quality";

describe("quality metrics", () => {
  it("computes ROC AUC by ranks, with ties as half", () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([0.1], [1])).toBeNaN();
  });

  it("counts the confusion matrix at a threshold (inclusive)", () => {
    expect(confusionAt([0.2, 0.7, 0.69, 0.9], [0, 0, 1, 1], 0.7)).toEqual({
      threshold: 0.7,
      tp: 1,
      fp: 1,
      tn: 1,
      fn: 1,
      precision: 0.5,
      recall: 0.5,
    });
    expect(quality([0.1, 0.9], [0, 1]).at.map((c) => c.threshold)).toEqual([0.3, 0.7]);
  });
});

describe("qualityOnDecisions", () => {
  it("measures a model on the analysts' decisions about the clicks it flagged, ignoring others", () => {
    const q = qualityOnDecisions("v3", [
      { risk: 0.65, reasons: ["model:v3"], verdict: "fraud" },
      { risk: 0.35, reasons: ["model:v3", "click_burst"], verdict: "clean" },
      { risk: 0.5, reasons: ["model:v3"], verdict: "fraud" },
      { risk: 0.4, reasons: ["model:v2"], verdict: "fraud" },
      { risk: 0.31, reasons: ["data_centre_ip"], verdict: "clean" },
    ]);
    expect(q.decided).toBe(3);
    expect(q.positives).toBe(2);
    expect(q.rocAuc).toBe(1);
    expect(q.at[0]).toMatchObject({ threshold: 0.3, tp: 2, fp: 1 });
  });
});
