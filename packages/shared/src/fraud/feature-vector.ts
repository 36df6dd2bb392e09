import type { BehaviourFeatures } from "./behaviour";
import { isDeclaredBot } from "./bots";
import type { DataCentreMatcher } from "./data-centres";
import { userAgentSanity } from "./user-agent";

/**
 * The model's inputs, in order: every signal of a click as a number. Counts
 * enter as log(1 + n) so that a linear model sees "a few more" the same at
 * any scale. A trained model names the features it was fitted on; a model is
 * only usable with the same list.
 */
export const FEATURE_NAMES = [
  "declared_bot",
  "data_centre_ip",
  "user_agent_missing",
  "user_agent_malformed",
  "log_ip_clicks_per_minute",
  "log_user_clicks_per_minute",
  "log_ip_distinct_campaigns",
  "log_ip_distinct_user_agents",
  "log_ip_distinct_users",
  "first_click_of_user",
  "log_seconds_since_user_previous",
  "user_gap_regularity",
  "user_short_gap_share",
  "country_ip_mismatch",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** A behaviour-derived reason an analyst can read, by the feature that raised it. */
export const FEATURE_REASONS: Partial<Record<FeatureName, string>> = {
  data_centre_ip: "data_centre_ip",
  user_agent_malformed: "malformed_user_agent",
  log_ip_clicks_per_minute: "high_ip_click_rate",
  log_user_clicks_per_minute: "high_user_click_rate",
  log_ip_distinct_campaigns: "many_campaigns_per_ip",
  log_ip_distinct_user_agents: "many_user_agents_per_ip",
  log_ip_distinct_users: "many_users_per_ip",
  user_gap_regularity: "regular_intervals",
  user_short_gap_share: "click_burst",
  country_ip_mismatch: "country_ip_mismatch",
};

const DAY_S = 86_400;

export interface FeatureContext {
  dataCentres: DataCentreMatcher;
  /** The country an IP geolocates to, when known (null: unknown). */
  ipCountry?: (ip: string) => string | null;
}

/** What `featureVector` reads of a click. */
export interface FeatureClick {
  ip: string | null;
  user_agent: string | null;
  country: string | null;
}

/** The click's features as numbers, in FEATURE_NAMES order. */
export function featureVector(
  click: FeatureClick,
  b: BehaviourFeatures,
  ctx: FeatureContext,
): number[] {
  const ua = click.user_agent?.trim() ?? "";
  const sanity = userAgentSanity(ua);
  const declaredBot = ua !== "" && isDeclaredBot(ua);
  const ipCountry = click.ip && ctx.ipCountry ? ctx.ipCountry(click.ip) : null;
  const since = b.secondsSinceUserPrevious;
  return [
    declaredBot ? 1 : 0,
    click.ip !== null && ctx.dataCentres.has(click.ip) ? 1 : 0,
    sanity === "missing" ? 1 : 0,
    sanity === "malformed" && !declaredBot ? 1 : 0,
    Math.log1p(b.ipClicksPerMinute),
    Math.log1p(b.userClicksPerMinute),
    Math.log1p(b.ipDistinctCampaigns),
    Math.log1p(b.ipDistinctUserAgents),
    Math.log1p(b.ipDistinctUsers),
    since === null ? 1 : 0,
    Math.log1p(Math.min(since ?? DAY_S, DAY_S)),
    b.userGapCv === null ? 0 : Math.exp(-b.userGapCv / 0.1),
    b.userShortGapShare,
    ipCountry !== null && click.country !== null && ipCountry !== click.country ? 1 : 0,
  ];
}

/** The features by name (for analysts and for the review queue). */
export function namedFeatures(vector: readonly number[]): Record<FeatureName, number> {
  return Object.fromEntries(
    FEATURE_NAMES.map((n, i) => [n, Math.round((vector[i] ?? 0) * 1e4) / 1e4]),
  ) as Record<FeatureName, number>;
}
