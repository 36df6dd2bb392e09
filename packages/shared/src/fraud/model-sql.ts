import { HISTORY } from "./behaviour";
import { FEATURE_NAMES, type FeatureName } from "./feature-vector";
import type { LogisticModel } from "./logistic-model";

/**
 * A trained model's probability as one SQL expression (DuckDB's dialect), so
 * a batch can score a whole day inside the engine. `LogisticModel.probability`
 * stays the reference: the terms are added in its order, and every term whose
 * input is a count (at most HISTORY) is the very double JavaScript computes,
 * looked up in a list. The terms with a continuous input go through the
 * engine's `ln` and `exp`, which can differ from V8's in the last bit, so a
 * caller that needs JavaScript's exact verdict rescores the clicks whose
 * risk lies within a hair of a threshold.
 */

/** SQL expressions of a click's behaviour and user-agent inputs, as `featureVector` reads them. */
export interface ModelSqlInputs {
  /** Booleans. */
  declaredBot: string;
  dataCentreIp: string;
  userAgentMissing: string;
  userAgentMalformed: string;
  countryIpMismatch: string;
  /** Integers from 0 to HISTORY. */
  ipClicksPerMinute: string;
  userClicksPerMinute: string;
  ipDistinctCampaigns: string;
  ipDistinctUserAgents: string;
  ipDistinctUsers: string;
  /** Doubles; NULL for the user's first click (and fewer than 3 gaps for the CV). */
  secondsSinceUserPrevious: string;
  userGapCv: string;
  /** Double in [0, 1]. */
  userShortGapShare: string;
}

const DAY_S = 86_400;

/** A double as an exact SQL literal (a plain decimal literal would be a DECIMAL). */
export function sqlDouble(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return `cast('${Object.is(x, -0) ? "-0.0" : String(x)}' as double)`;
}

/** The model's log-odds for the inputs. */
export function modelLogitSql(model: LogisticModel, x: ModelSqlInputs): string {
  const weights = model.params.weights;
  const flag = (w: number, e: string) =>
    `(case when ${e} then ${sqlDouble(w * 1)} else ${sqlDouble(w * 0)} end)`;
  const logCount = (w: number, e: string) =>
    `[${Array.from({ length: HISTORY + 1 }, (_, n) => sqlDouble(w * Math.log1p(n))).join(", ")}][${e} + 1]`;
  const term: Record<FeatureName, (w: number) => string> = {
    declared_bot: (w) => flag(w, x.declaredBot),
    data_centre_ip: (w) => flag(w, x.dataCentreIp),
    user_agent_missing: (w) => flag(w, x.userAgentMissing),
    user_agent_malformed: (w) => flag(w, x.userAgentMalformed),
    log_ip_clicks_per_minute: (w) => logCount(w, x.ipClicksPerMinute),
    log_user_clicks_per_minute: (w) => logCount(w, x.userClicksPerMinute),
    log_ip_distinct_campaigns: (w) => logCount(w, x.ipDistinctCampaigns),
    log_ip_distinct_user_agents: (w) => logCount(w, x.ipDistinctUserAgents),
    log_ip_distinct_users: (w) => logCount(w, x.ipDistinctUsers),
    first_click_of_user: (w) => flag(w, `${x.secondsSinceUserPrevious} is null`),
    log_seconds_since_user_previous: (w) =>
      `${sqlDouble(w)} * ln(1 + least(coalesce(${x.secondsSinceUserPrevious}, ${DAY_S}), ${DAY_S}))`,
    user_gap_regularity: (w) =>
      `${sqlDouble(w)} * coalesce(exp(-(${x.userGapCv}) / ${sqlDouble(0.1)}), 0)`,
    user_short_gap_share: (w) => `${sqlDouble(w)} * ${x.userShortGapShare}`,
    country_ip_mismatch: (w) => flag(w, x.countryIpMismatch),
  };
  const terms = FEATURE_NAMES.map((name, i) => term[name](weights[i]!));
  return `(${sqlDouble(model.params.intercept)} + ${terms.join("\n  + ")})`;
}

/** The model's probability for the inputs: 1 / (1 + e^-z), as `LogisticModel.probability`. */
export function modelProbabilitySql(model: LogisticModel, x: ModelSqlInputs): string {
  return `(1 / (1 + exp(-${modelLogitSql(model, x)})))`;
}
