/**
 * The fraud model's pass of the nightly batch as SQL: every click's behaviour
 * features (what `BehaviourTracker` gives it when fed the day in event-time
 * order), the model's probability over them (`modelProbabilitySql`), and its
 * verdict the way `scoreClick` combines the rules with the model.
 *
 *   model_ips    IPs with a blocklist hit or a data-centre match (the others have none)
 *   model_uas    every user agent of the day with its blocklist hit, declared bot and sanity
 *   model_verdicts the verdict of every click the model does not call clean; AMBIGUOUS
 *                where the engine's arithmetic could round to the other side of a
 *                threshold than JavaScript's. A clean click needs no row: the model
 *                only ever adds risk to the rules', so its clean clicks are clean by
 *                their class verdict too, which the billing falls back to.
 *
 * The features are the tracker's over the whole day. The tracker forgets the
 * least recently seen of more than 200 000 IPs or users (a memory bound of the
 * stream); the day in SQL forgets nothing.
 */
import {
  DISTINCT_SPAN_MS,
  FRAUD_RISK,
  GAPS,
  HISTORY,
  type LogisticModel,
  modelProbabilitySql,
  RULE_WEIGHTS,
  SHORT_GAP_MS,
  SUSPICIOUS_RISK,
  sqlDouble,
  VOLUME_RISK_CAP,
} from "@adclick/shared";

/** gap_1 … gap_GAPS, oldest first, as `BehaviourTracker` keeps them. */
const GAP_NAMES = Array.from({ length: GAPS }, (_, k) => `gap_${GAPS - k}`);
const gapCount = `(${GAP_NAMES.map((g) => `(${g} is not null)::int`).join(" + ")})`;

/** `coefficientOfVariation` of the user's last gaps, summed in its order. */
function gapCvSql(): string {
  const sum = `(${GAP_NAMES.map((g) => `coalesce(${g}, 0)`).join(" + ")})`;
  const mean = `(${sum} / ${gapCount})`;
  const squares = GAP_NAMES.map((g) => `coalesce((${g} - ${mean}) * (${g} - ${mean}), 0)`).join(
    " + ",
  );
  return `case when ${gapCount} < 3 then null when ${sum} <= 0 then 0
      else sqrt((${squares}) / ${gapCount}) / ${mean} end`;
}

/** The share of the user's last gaps shorter than SHORT_GAP_MS (0 without gaps). */
function shortShareSql(): string {
  const short = GAP_NAMES.map((g) => `(coalesce(${g} < ${SHORT_GAP_MS}, false))::int`).join(" + ");
  return `case when ${gapCount} = 0 then 0 else (${short}) / ${gapCount} end`;
}

/**
 * How many of the day's campaigns, user agents and users share a 64-bit hash
 * with another: the distinct counts per IP compare hashes only when none do.
 */
export const MODEL_KEY_COLLISIONS_SQL = `select
  (select count(distinct campaign_id) - count(distinct hash(campaign_id)) from grouping_values)
  + (select count(*) - count(distinct hash(user_agent)) from ua_day)
  + (select count(*) - count(distinct hash(user_id)) from user_day) as shared`;

/** A verdict code the batch rescores in JavaScript. */
export const AMBIGUOUS = 255;

/** How close (in units of the rounded risk's last digit) counts as "could round either way". */
export const DEFAULT_AMBIGUITY = 1e-6;

export const CREATE_MODEL_TABLES_SQL = [
  "create table model_ips (ip varchar, blocked boolean, dc_rule boolean, dc_feature boolean)",
  "create table model_uas (user_agent varchar, blocked boolean, bot boolean, missing boolean, malformed boolean)",
];

const ORDER = "ts, partner_id, event_id";

/**
 * Windows whose frames never leave the current IP's or user's rows are computed
 * over a few coarse partitions ordered by the IP or user first: DuckDB's
 * per-partition cost dominates with hundreds of thousands of tiny partitions.
 */
const COARSE = (column: string) => `partition by hash(${column}) % 64`;

/**
 * Fills model_verdicts for the day. `ambiguity`: clicks whose risk × 10 000 lies
 * this close to a rounding boundary of a threshold get AMBIGUOUS (a test
 * widens it to send every click to JavaScript).
 */
export function modelVerdictsSql(
  model: LogisticModel,
  ambiguity = DEFAULT_AMBIGUITY,
  keys: "hashes" | "strings" = "hashes",
): string {
  const key = (column: string) => (keys === "hashes" ? `hash(c.${column})` : `c.${column}`);
  const p = modelProbabilitySql(model, {
    declaredBot: "f.bot",
    dataCentreIp: "f.dc_feature",
    userAgentMissing: "f.missing",
    userAgentMalformed: "f.malformed",
    countryIpMismatch: "false",
    ipClicksPerMinute: "f.ip_per_minute",
    userClicksPerMinute: "f.user_per_minute",
    ipDistinctCampaigns: "f.ip_campaigns",
    ipDistinctUserAgents: "f.ip_user_agents",
    ipDistinctUsers: "f.ip_users",
    secondsSinceUserPrevious: "(f.gap / 1000)",
    userGapCv: "f.gap_cv",
    userShortGapShare: "f.short_share",
  });
  const d = sqlDouble;
  const volume = `greatest(case when f.ip_over then ${d(RULE_WEIGHTS.ip_over_100_per_minute)} else 0 end,
      case when f.user_over then ${d(RULE_WEIGHTS.user_over_100_per_minute)} else 0 end)`;
  const boundary = (threshold: number) => d(threshold * 10_000 - 0.5);
  return `insert into model_verdicts
with clicks as (
  select c.partner_id, c.event_id, c.user_id, c.ts, nullif(c.ip, '') as ip,
         ${key("campaign_id")} as campaign_key, ${key("user_agent")} as user_agent_key,
         ${key("user_id")} as user_key,
         fi.event_id is not null as ip_over, fu.event_id is not null as user_over,
         coalesce(i.blocked, false) or u.blocked or u.bot as hard_fraud,
         coalesce(i.dc_rule, false) as dc_rule, coalesce(i.dc_feature, false) as dc_feature,
         u.bot, u.missing, u.malformed
  from day_clicks c
  left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
  left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
  left join model_ips i on i.ip = c.ip
  join model_uas u on u.user_agent = c.user_agent
),
ip_ranked as (
  select *,
    row_number() over (partition by ip order by ${ORDER}) as ip_rn,
    count(*) over (partition by ip order by ts range between unbounded preceding and ${DISTINCT_SPAN_MS} preceding) as ip_old_span,
    count(*) over (partition by ip order by ts range between unbounded preceding and 60000 preceding) as ip_old_minute
  from clicks
),
ip_kept as (
  -- The IP's clicks the tracker still holds: its last HISTORY within the span.
  select *, least(${HISTORY}, ip_rn - ip_old_span) as ip_held from ip_ranked
),
ip_features as (
  select * exclude (held_campaigns, held_user_agents, held_users),
    case when ip is null then 0 else least(${HISTORY}, ip_rn - ip_old_minute) end as ip_per_minute,
    case when ip is null then 0 else len(list_distinct(held_campaigns)) end as ip_campaigns,
    case when ip is null then 0 else len(list_distinct(held_user_agents)) end as ip_user_agents,
    case when ip is null then 0 else len(list_distinct(held_users)) end as ip_users
  from (
    select *,
      list(campaign_key) over held as held_campaigns,
      list(user_agent_key) over held as held_user_agents,
      list(user_key) over held as held_users
    from ip_kept
    window held as (${COARSE("ip")} order by ip, ${ORDER} rows between ip_held - 1 preceding and current row)
  )
),
user_ranked as (
  select *,
    row_number() over by_user as user_rn,
    count(*) over (partition by user_id order by ts range between unbounded preceding and 60000 preceding) as user_old_minute,
${Array.from({ length: GAPS }, (_, k) => `    lag(ts, ${k + 1}) over by_user as ts_${k + 1}`).join(",\n")}
  from ip_features
  window by_user as (partition by user_id order by ${ORDER})
),
user_gaps as (
  -- The user's last GAPS gaps, newest first (NULL where the user has fewer).
  select *, ${Array.from({ length: GAPS }, (_, k) => `${k === 0 ? "ts" : `ts_${k}`} - ts_${k + 1} as gap_${k + 1}`).join(", ")} from user_ranked
),
f as (
  select *,
    least(${HISTORY}, user_rn - user_old_minute) as user_per_minute,
    ts - ts_1 as gap,
    ${gapCvSql()} as gap_cv,
    ${shortShareSql()} as short_share
  from user_gaps
),
risk as (
  select f.partner_id, f.event_id, f.ip_over, f.user_over, f.hard_fraud,
    1 - (case when f.dc_rule then ${d(1 - RULE_WEIGHTS.data_centre_ip)} else 1 end)
      * (case when f.missing then ${d(1 - RULE_WEIGHTS.missing_user_agent)} else 1 end)
      * (1 - least(1, greatest(0, ${p}))) as per_click,
    ${volume} as volume
  from f
),
rounded as (
  select *,
    case when volume > 0 and per_click < ${d(FRAUD_RISK)}
      then least(${d(VOLUME_RISK_CAP)}, 1 - (1 - per_click) * (1 - volume))
      else per_click end * 10000 as risk_e4
  from risk
)
select partner_id, event_id,
  case
    when hard_fraud then 2
    when abs(risk_e4 - ${boundary(SUSPICIOUS_RISK)}) < ${d(ambiguity)}
      or abs(risk_e4 - ${boundary(FRAUD_RISK)}) < ${d(ambiguity)}
      or (volume > 0 and abs(per_click - ${d(FRAUD_RISK)}) < ${d(ambiguity / 10_000)}) then ${AMBIGUOUS}
    when round(risk_e4) / 10000 >= ${d(FRAUD_RISK)} then 2
    when round(risk_e4) / 10000 >= ${d(SUSPICIOUS_RISK)} then 1
    else 0
  end as verdict
from rounded
where verdict <> 0`;
}

/**
 * The clicks of the IPs and users of the ambiguous clicks, in event-time order
 * with their volume flags and whether they are ambiguous themselves: all the
 * history a tracker needs to give those clicks their features.
 */
export const AMBIGUOUS_HISTORY_SQL = [
  `create table ambiguous as
select c.partner_id, c.event_id, nullif(c.ip, '') as ip, c.user_id
from model_verdicts mv
join day_clicks c on c.partner_id = mv.partner_id and c.event_id = mv.event_id
where mv.verdict = ${AMBIGUOUS}`,
  `select c.event_id, c.partner_id, c.campaign_id, c.advertiser_id, c.ad_id,
       c.user_id, c.ip, c.user_agent, c.ts, c.received_at, c.cost_micros, c.device, c.country,
       fi.event_id is not null as ip_over, fu.event_id is not null as user_over,
       a.event_id is not null as ambiguous
from day_clicks c
left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
left join ambiguous a on a.partner_id = c.partner_id and a.event_id = c.event_id
where nullif(c.ip, '') in (select ip from ambiguous) or c.user_id in (select user_id from ambiguous)
order by c.ts, c.partner_id, c.event_id`,
];

/** Replaces the ambiguous verdicts with JavaScript's, from `rescored`. */
export const APPLY_RESCORED_SQL = [
  `update model_verdicts set verdict = r.verdict from rescored r
where model_verdicts.partner_id = r.partner_id and model_verdicts.event_id = r.event_id`,
  "delete from model_verdicts where verdict = 0",
  "drop table ambiguous",
  "drop table rescored",
];
