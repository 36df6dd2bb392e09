/**
 * Fits a logistic regression with ml-logistic-regression's two-class trainer
 * (full-batch gradient ascent). Around it: features standardised before
 * fitting (so one learning rate suits every feature), a bias column, and the
 * fitted weights folded back into raw feature space, so inference is one dot
 * product on the raw vector (`LogisticModel`). A feature that never varies in
 * the training data gets weight 0.
 */
import { FEATURE_NAMES, type LogisticModelParams } from "@adclick/shared";
import LogisticRegressionTwoClasses from "ml-logistic-regression/src/logreg_2classes.js";
import { Matrix } from "ml-matrix";

export interface TrainOptions {
  steps?: number;
  /** Step size per example (the trainer sums the gradient over the rows). */
  learningRate?: number;
}

export function trainLogistic(
  x: readonly number[][],
  y: readonly number[],
  o: TrainOptions = {},
): LogisticModelParams {
  if (x.length === 0) throw new Error("no training examples");
  if (x.length !== y.length) throw new Error("features and labels differ in length");
  const labels = new Set(y);
  if (labels.size < 2) throw new Error("training needs both valid and invalid examples");
  const d = FEATURE_NAMES.length;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of x) for (let j = 0; j < d; j++) mean[j]! += row[j]! / x.length;
  for (const row of x) for (let j = 0; j < d; j++) std[j]! += (row[j]! - mean[j]!) ** 2 / x.length;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]!);
  const scaled = x.map((row) => [
    1,
    ...row.map((v, j) => (std[j]! > 1e-12 ? (v - mean[j]!) / std[j]! : 0)),
  ]);
  const trainer = new LogisticRegressionTwoClasses({
    numSteps: o.steps ?? 600,
    learningRate: (o.learningRate ?? 1) / x.length,
  });
  trainer.train(new Matrix(scaled), Matrix.columnVector([...y]));
  const w = trainer.weights!.to1DArray();
  let intercept = w[0]!;
  const weights = new Array<number>(d).fill(0);
  for (let j = 0; j < d; j++) {
    if (std[j]! <= 1e-12) continue;
    weights[j] = w[j + 1]! / std[j]!;
    intercept -= (w[j + 1]! * mean[j]!) / std[j]!;
  }
  return { kind: "logistic_regression", features: [...FEATURE_NAMES], weights, intercept };
}
