/**
 * What `adclick fraud train` does, without I/O: labelled examples (a simulated
 * day's ground truth plus analysts' verdicts) → a fitted logistic regression →
 * its quality on held-out examples scored the way the system scores clicks
 * (`scoreClick` with the model, rules included).
 */
import {
  type BehaviourFeatures,
  type ClickRecord,
  DEFAULT_DATA_CENTRES,
  FEATURE_NAMES,
  LogisticModel,
  type LogisticModelParams,
  ModelScorer,
  type Quality,
  quality,
  scoreClick,
} from "@adclick/shared";
import { type Example, featureRows, labelledDay } from "./labelled-examples";
import { trainLogistic } from "./train-logistic";

/** An analyst's decision with the features the click had when it was flagged. */
export interface AnalystExample {
  click: ClickRecord;
  /** The feature vector stored with the flagged click (FEATURE_NAMES order). */
  features: number[];
  label: 0 | 1;
}

export interface TrainModelOptions {
  /** Seed of the simulated training day; the held-out day uses another seed. */
  seed: number;
  heldOutSeed?: number;
  dayStartMs?: number;
  /** At most this many training rows (a stratified-by-position sample of the day). */
  maxRows?: number;
  steps?: number;
  analyst?: readonly AnalystExample[];
}

export interface TrainedModel {
  params: LogisticModelParams;
  quality: Quality;
  /** Per source of the held-out examples: how many, and how many flagged at 0.7. */
  bySource: Record<string, { examples: number; flagged: number }>;
  trainingRows: number;
  analystExamples: number;
}

const DAY_MS = 86_400_000;

/** Risk of each example as the stream and batch would score it with this model. */
export function scoreExamples(
  params: LogisticModelParams,
  examples: readonly { click: ClickRecord }[],
  behaviour: readonly BehaviourFeatures[],
): number[] {
  const model = new ModelScorer(new LogisticModel(0, params), {
    dataCentres: DEFAULT_DATA_CENTRES,
  });
  return examples.map(
    (e, i) =>
      scoreClick(
        e.click,
        { ipClicksInMinute: 1, userClicksInMinute: 1, behaviour: behaviour[i] },
        { model },
      ).risk,
  );
}

export function trainModel(o: TrainModelOptions): TrainedModel {
  const dayStartMs = o.dayStartMs ?? Date.UTC(2026, 0, 5);
  const train = labelledDay(o.seed, { dayStartMs });
  const heldOut = labelledDay(o.heldOutSeed ?? o.seed + 7919, { dayStartMs: dayStartMs + DAY_MS });
  const rows = featureRows(train.map((e) => e.click)).vectors;
  const every = Math.max(1, Math.ceil(train.length / (o.maxRows ?? 12_000)));
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < train.length; i += every) {
    x.push(rows[i]!);
    y.push(train[i]!.label);
  }
  // Analysts' verdicts: four in five train (each weighs as much as a sampled row), one in five is held out.
  const analyst = (o.analyst ?? []).filter((a) => a.features.length === FEATURE_NAMES.length);
  const analystHeldOut: AnalystExample[] = [];
  analyst.forEach((a, i) => {
    if (i % 5 === 4) analystHeldOut.push(a);
    else {
      x.push(a.features);
      y.push(a.label);
    }
  });
  const params = trainLogistic(x, y, { steps: o.steps ?? 300 });

  const heldBehaviour = featureRows(heldOut.map((e) => e.click)).behaviour;
  const scores = scoreExamples(params, heldOut, heldBehaviour);
  const labels: number[] = heldOut.map((e) => e.label);
  const sources: string[] = heldOut.map((e) => e.source);
  const model = new LogisticModel(0, params);
  for (const a of analystHeldOut) {
    scores.push(model.probability(a.features));
    labels.push(a.label);
    sources.push("analyst");
  }
  const bySource: TrainedModel["bySource"] = {};
  sources.forEach((s, i) => {
    const b = bySource[s] ?? { examples: 0, flagged: 0 };
    b.examples++;
    if (scores[i]! >= 0.7) b.flagged++;
    bySource[s] = b;
  });
  return {
    params,
    quality: quality(scores, labels),
    bySource,
    trainingRows: x.length,
    analystExamples: analyst.length,
  };
}

export type { Example };
