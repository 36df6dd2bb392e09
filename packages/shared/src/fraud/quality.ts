/** Held-out quality of a scorer: ROC AUC, and precision, recall and the confusion matrix at thresholds. */
import { z } from "zod";

export const Confusion = z.object({
  threshold: z.number(),
  tp: z.number().int(),
  fp: z.number().int(),
  tn: z.number().int(),
  fn: z.number().int(),
  precision: z.number(),
  recall: z.number(),
});
export type Confusion = z.infer<typeof Confusion>;

/** As `fraud train` prints it and stores it with the model (extra keys, such as `bySource`, pass). */
export const Quality = z.object({
  examples: z.number().int(),
  positives: z.number().int(),
  rocAuc: z.number(),
  at: z.array(Confusion),
});
export type Quality = z.infer<typeof Quality>;

/** ROC AUC by ranks (ties share their mean rank): the chance a random positive outscores a random negative. */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]![1]] === 1) {
        positives++;
        rankSum += meanRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function confusionAt(
  scores: readonly number[],
  labels: readonly number[],
  threshold: number,
): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i] === 1) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
  };
}

export function quality(
  scores: readonly number[],
  labels: readonly number[],
  thresholds: readonly number[] = [0.3, 0.7],
): Quality {
  return {
    examples: scores.length,
    positives: labels.filter((l) => l === 1).length,
    rocAuc: rocAuc(scores, labels),
    at: thresholds.map((t) => confusionAt(scores, labels, t)),
  };
}

export function formatQuality(q: Quality): string {
  const lines = [
    `held-out examples ${q.examples} (${q.positives} invalid), ROC AUC ${q.rocAuc.toFixed(4)}`,
  ];
  for (const c of q.at)
    lines.push(
      `at ${c.threshold}: precision ${c.precision.toFixed(4)} recall ${c.recall.toFixed(4)} | confusion tp ${c.tp} fp ${c.fp} fn ${c.fn} tn ${c.tn}`,
    );
  return lines.join("\n");
}

/**
 * How a model does on the analysts' decisions about the clicks it scored:
 * the decisions on clicks whose reasons name the model (`model:<name>`),
 * with the stream's risk as the score and the analyst's verdict as the label.
 */
export function qualityOnDecisions(
  modelName: string,
  decisions: ReadonlyArray<{
    risk: number;
    reasons: readonly string[];
    verdict: "clean" | "fraud";
  }>,
): Quality & { decided: number } {
  const mine = decisions.filter((d) => d.reasons.includes(`model:${modelName}`));
  return {
    decided: mine.length,
    ...quality(
      mine.map((d) => d.risk),
      mine.map((d) => (d.verdict === "fraud" ? 1 : 0)),
    ),
  };
}
