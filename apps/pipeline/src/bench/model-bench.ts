/**
 * `adclick bench model`: what the fraud model costs per click. A simulated
 * labelled stretch of traffic, a model fitted on it, then per click: the
 * behaviour tracker, the feature vector plus the model, and `scoreClick` with
 * and without the model (the aggregator's and the batch's scoring step).
 * In process, no services needed.
 */
import {
  type BehaviourFeatures,
  BehaviourTracker,
  DEFAULT_DATA_CENTRES,
  featureVector,
  LogisticModel,
  ModelScorer,
  scoreClick,
} from "@adclick/shared";
import { featureRows, labelledDay } from "../fraud/labelled-examples";
import { trainLogistic } from "../fraud/train-logistic";

export interface ModelBenchOptions {
  hours: number;
  rounds: number;
}

export function benchModel(o: ModelBenchOptions, print: (line: string) => void): void {
  const day = labelledDay(11, { dayStartMs: Date.UTC(2026, 0, 5), durationSec: o.hours * 3600 });
  const clicks = day.map((e) => e.click);
  print(
    `${clicks.length} simulated clicks (${o.hours} h, ${day.filter((e) => e.label).length} invalid)`,
  );
  const rows = featureRows(clicks);
  const t0 = performance.now();
  const params = trainLogistic(
    rows.vectors,
    day.map((e) => e.label),
    { steps: 200 },
  );
  print(
    `fit on ${clicks.length} rows, 200 steps: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const model = new LogisticModel(1, params);
  const scorer = new ModelScorer(model, { dataCentres: DEFAULT_DATA_CENTRES });

  const perClick = (label: string, fn: () => void) => {
    fn(); // warm up
    // CPU time of this process, not wall time: the figure holds on a busy machine too.
    const start = process.cpuUsage();
    for (let r = 0; r < o.rounds; r++) fn();
    const used = process.cpuUsage(start);
    const ns = ((used.user + used.system) * 1e3) / (o.rounds * clicks.length);
    print(
      `${label}: ${ns.toFixed(0)} ns of CPU per click (${(1e3 / ns).toFixed(2)} M clicks/s per core)`,
    );
  };
  let behaviour: BehaviourFeatures[] = [];
  perClick("behaviour tracker (history per IP and user)", () => {
    const t = new BehaviourTracker();
    behaviour = clicks.map((c) => t.observe(c));
  });
  let sink = 0;
  perClick("feature vector + logistic model", () => {
    for (let i = 0; i < clicks.length; i++)
      sink += model.probability(
        featureVector(clicks[i]!, behaviour[i]!, { dataCentres: DEFAULT_DATA_CENTRES }),
      );
  });
  const volume = { ipClicksInMinute: 1, userClicksInMinute: 1 };
  perClick("scoreClick, rules only", () => {
    for (const c of clicks) sink += scoreClick(c, volume).risk;
  });
  perClick("scoreClick with the model (rules + tracker + features + model)", () => {
    const t = new BehaviourTracker();
    for (const c of clicks)
      sink += scoreClick(c, { ...volume, behaviour: t.observe(c) }, { model: scorer }).risk;
  });
  if (Number.isNaN(sink)) print("(unexpected NaN)");
}
