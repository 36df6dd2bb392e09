import type { ClickRecord } from "../click-event";
import type { BehaviourFeatures } from "./behaviour";
import { type BlocklistMatcher, EMPTY_BLOCKLIST } from "./blocklist";
import { BOT_LIST_VERSION, isDeclaredBot } from "./bots";
import { type DataCentreMatcher, DEFAULT_DATA_CENTRES } from "./data-centres";

/** Version of the hand-written rules below; bump it when they change. */
export const RULES_VERSION = "rules-2";

/** C8 verdicts. */
export type Verdict = "clean" | "suspicious" | "fraud";

/** C8 thresholds: clean below 0.3, suspicious from 0.3, fraud from 0.7. */
export const SUSPICIOUS_RISK = 0.3;
export const FRAUD_RISK = 0.7;
/** More than this many clicks in one UTC minute (event time) from one IP or one user is suspicious. */
export const CLICKS_PER_MINUTE_LIMIT = 100;

/** Weights of the soft rules (combined as independent evidence: 1 - Π(1 - w)). */
export const RULE_WEIGHTS = {
  data_centre_ip: 0.35,
  missing_user_agent: 0.3,
  ip_over_100_per_minute: 0.4,
  user_over_100_per_minute: 0.4,
} as const;

/** Volume rules can raise a click to suspicious but never on their own to fraud. */
export const VOLUME_RISK_CAP = 0.69;

/**
 * What scoring reads of a click: a ClickRecord, or a row of the lake whose IP or
 * user agent is missing (null). A missing field makes the rules that need it
 * silent; a missing user agent counts as missing (`missing_user_agent`), as an
 * empty one does.
 */
export type ScorableClick = Omit<ClickRecord, "ip" | "user_agent"> & {
  ip: string | null;
  user_agent: string | null;
};

/**
 * Features that need more than the click itself. The caller computes them:
 * the stream from shared per-minute counters in Redis, the nightly batch
 * exactly over the whole day.
 */
export interface ClickFeatures {
  /**
   * Rank of this click among the clicks from its IP in its UTC minute
   * (`minuteBucket(ts)`), this one included: the stream ranks in arrival order,
   * the batch by (ts, partner_id, event_id). Duplicates are not clicks and are
   * not counted here. Clicks beyond the 100th are flagged; the first 100 are not.
   */
  ipClicksInMinute: number;
  /** The same rank among the clicks of the click's user in its UTC minute. */
  userClicksInMinute: number;
  /**
   * @deprecated Ignored. A duplicate of an idempotency pair (partner_id,
   * event_id) is neither a click nor fraud: callers drop it before scoring and
   * count it only as a duplicate.
   */
  isDuplicate?: boolean;
  /**
   * What the click's IP and user did just before (a `BehaviourTracker`'s
   * answer); a model without it sees the click as its user's first.
   */
  behaviour?: BehaviourFeatures;
}

/** Where a trained model plugs in: the probability in [0,1] that a click is invalid. */
export interface ClickScorer {
  readonly name: string;
  score(click: ScorableClick, features: ClickFeatures): number;
  /** The behaviour reasons behind a high score (reason codes, sophisticated invalid traffic). */
  explain?(click: ScorableClick, features: ClickFeatures): string[];
}

export interface ScoringContext {
  blocklist?: BlocklistMatcher;
  dataCentres?: DataCentreMatcher;
  /** Optional trained model; its probability joins the soft rules. */
  model?: ClickScorer;
}

/** What produced a verdict: the rules, the lists and the model, each by version. */
export interface ScoringVersions {
  rules: string;
  lists: string;
  /** The model's name (`v<N>`), or null when no model took part. */
  model: string | null;
}

export interface ClickScore {
  risk: number;
  verdict: Verdict;
  reasons: string[];
  versions: ScoringVersions;
}

/**
 * General invalid traffic (lists and standard checks) or sophisticated
 * invalid traffic (behaviour, the model), for a reason code of `scoreClick`.
 */
export type ReasonClass = "GIVT" | "SIVT";
const GIVT_REASONS = new Set([
  "blocklist_ip",
  "blocklist_cidr",
  "blocklist_user_agent",
  "declared_bot",
  "data_centre_ip",
  "missing_user_agent",
  "malformed_user_agent",
  "duplicate_event",
  "ip_over_100_per_minute",
  "user_over_100_per_minute",
]);
export function reasonClass(reason: string): ReasonClass {
  return GIVT_REASONS.has(reason) ? "GIVT" : "SIVT";
}

/** The versions a context scores with. */
export function scoringVersions(ctx: ScoringContext = {}): ScoringVersions {
  const dataCentres = ctx.dataCentres ?? DEFAULT_DATA_CENTRES;
  return {
    rules: RULES_VERSION,
    lists: `${dataCentres.version}+${BOT_LIST_VERSION}`,
    model: ctx.model?.name ?? null,
  };
}

/** The UTC minute (event time) that the per-minute volume features count in. */
export function minuteBucket(tsMs: number): number {
  return Math.floor(tsMs / 60_000);
}

export function verdictOf(risk: number): Verdict {
  if (risk >= FRAUD_RISK) return "fraud";
  if (risk >= SUSPICIOUS_RISK) return "suspicious";
  return "clean";
}

/**
 * Scores one click (C8). Pure and deterministic: the same click, features and
 * context always give the same risk, verdict and reasons, so a replay of the
 * stream or the nightly batch labels clicks the same way.
 *
 * Hard rules (risk 1, fraud): blocklist hit (IP, CIDR, user agent), a declared
 * bot or crawler. Duplicates are not scored (see `ClickFeatures.isDuplicate`).
 * A null IP or user agent never throws: the rules needing it do not fire. Soft rules combine as independent
 * evidence; the volume rules are capped below the fraud threshold so counted
 * clicks never depend on the order in which replicas saw a flood.
 */
export function scoreClick(
  click: ScorableClick,
  features: ClickFeatures,
  ctx: ScoringContext = {},
): ClickScore {
  const versions = scoringVersions(ctx);
  const blocked = (ctx.blocklist ?? EMPTY_BLOCKLIST).match(click.ip, click.user_agent);
  if (blocked) return { risk: 1, verdict: "fraud", reasons: [blocked], versions };
  const userAgent = click.user_agent?.trim() ?? "";
  if (userAgent && isDeclaredBot(userAgent))
    return { risk: 1, verdict: "fraud", reasons: ["declared_bot"], versions };

  const reasons: string[] = [];
  let keep = 1; // Π(1 - w) over the per-click evidence
  if (click.ip !== null && (ctx.dataCentres ?? DEFAULT_DATA_CENTRES).has(click.ip)) {
    keep *= 1 - RULE_WEIGHTS.data_centre_ip;
    reasons.push("data_centre_ip");
  }
  if (!userAgent) {
    keep *= 1 - RULE_WEIGHTS.missing_user_agent;
    reasons.push("missing_user_agent");
  }
  if (ctx.model) {
    const p = clamp01(ctx.model.score(click, features));
    keep *= 1 - p;
    if (p >= SUSPICIOUS_RISK) {
      reasons.push(`model:${ctx.model.name}`);
      for (const r of ctx.model.explain?.(click, features) ?? [])
        if (!reasons.includes(r)) reasons.push(r);
    }
  }
  const perClickRisk = 1 - keep;

  let volume = 0;
  if (features.ipClicksInMinute > CLICKS_PER_MINUTE_LIMIT) {
    volume = RULE_WEIGHTS.ip_over_100_per_minute;
    reasons.push("ip_over_100_per_minute");
  }
  if (features.userClicksInMinute > CLICKS_PER_MINUTE_LIMIT) {
    volume = Math.max(volume, RULE_WEIGHTS.user_over_100_per_minute);
    reasons.push("user_over_100_per_minute");
  }
  let risk = perClickRisk;
  if (volume > 0 && perClickRisk < FRAUD_RISK) {
    risk = Math.min(VOLUME_RISK_CAP, 1 - (1 - perClickRisk) * (1 - volume));
  }
  risk = Math.round(risk * 10_000) / 10_000;
  return { risk, verdict: verdictOf(risk), reasons, versions };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
