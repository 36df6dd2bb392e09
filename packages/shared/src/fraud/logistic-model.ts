import { z } from "zod";
import { FEATURE_NAMES, FEATURE_REASONS, type FeatureName } from "./feature-vector";

/**
 * A trained logistic-regression model as stored (the `models` table's
 * `params`): weights in raw feature space (standardisation folded in), so
 * inference is one dot product and a sigmoid per click.
 */
export const LogisticModelParams = z.object({
  kind: z.literal("logistic_regression"),
  features: z.array(z.string()).min(1),
  weights: z.array(z.number()),
  intercept: z.number(),
});
export type LogisticModelParams = z.infer<typeof LogisticModelParams>;

/** A contribution of this size (log-odds) or more to a flagged click names its reason. */
const REASON_CONTRIBUTION = 1;

export class LogisticModel {
  private readonly weights: Float64Array;

  constructor(
    readonly version: number,
    readonly params: LogisticModelParams,
  ) {
    const expected = FEATURE_NAMES.join(",");
    if (params.features.join(",") !== expected)
      throw new Error(
        `model ${version} was trained on features [${params.features.join(", ")}]; this build computes [${expected}]: train a new model`,
      );
    if (params.weights.length !== FEATURE_NAMES.length)
      throw new Error(
        `model ${version}: ${params.weights.length} weights for ${FEATURE_NAMES.length} features`,
      );
    this.weights = Float64Array.from(params.weights);
  }

  get name(): string {
    return `v${this.version}`;
  }

  /** The probability that a click with these features is invalid traffic. */
  probability(x: readonly number[]): number {
    let z = this.params.intercept;
    for (let i = 0; i < this.weights.length; i++) z += this.weights[i]! * x[i]!;
    return 1 / (1 + Math.exp(-z));
  }

  /** The behaviour reasons behind a high score: features that pushed it up the most. */
  reasons(x: readonly number[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.weights.length; i++) {
      const reason = FEATURE_REASONS[FEATURE_NAMES[i] as FeatureName];
      if (reason && this.weights[i]! * x[i]! >= REASON_CONTRIBUTION) out.push(reason);
    }
    return out;
  }
}
