/** Types for the two-class trainer of ml-logistic-regression (the package ships none). */
declare module "ml-logistic-regression/src/logreg_2classes.js" {
  import type { Matrix } from "ml-matrix";
  export default class LogisticRegressionTwoClasses {
    constructor(options?: { numSteps?: number; learningRate?: number });
    weights: Matrix | null;
    /** Full-batch gradient ascent on the log-likelihood: w += learningRate · Xᵀ(y − σ(Xw)). */
    train(features: Matrix, target: Matrix): void;
    testScores(features: Matrix): number[];
  }
}
