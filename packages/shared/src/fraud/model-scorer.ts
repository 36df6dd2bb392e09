import { firstClickBehaviour } from "./behaviour";
import { type FeatureContext, featureVector } from "./feature-vector";
import type { LogisticModel } from "./logistic-model";
import type { ClickFeatures, ClickScorer, ScorableClick } from "./score";

/**
 * A trained model as the scorer of `scoreClick`: the click's feature vector
 * (from its behaviour features, or as a first click without them) through the
 * model. `explain` reuses the vector of the click (and features) just scored.
 */
export class ModelScorer implements ClickScorer {
  private lastClick: ScorableClick | null = null;
  private lastFeatures: ClickFeatures | null = null;
  private lastVector: number[] = [];

  constructor(
    readonly model: LogisticModel,
    readonly ctx: FeatureContext,
  ) {}

  get name(): string {
    return this.model.name;
  }

  vector(click: ScorableClick, features: ClickFeatures): number[] {
    if (click === this.lastClick && features === this.lastFeatures) return this.lastVector;
    const v = featureVector(click, features.behaviour ?? firstClickBehaviour(click), this.ctx);
    this.lastClick = click;
    this.lastFeatures = features;
    this.lastVector = v;
    return v;
  }

  score(click: ScorableClick, features: ClickFeatures): number {
    return this.model.probability(this.vector(click, features));
  }

  explain(click: ScorableClick, features: ClickFeatures): string[] {
    return this.model.reasons(this.vector(click, features));
  }
}
