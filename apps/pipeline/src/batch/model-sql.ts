/**
 * The fraud model's pass of the nightly batch as SQL: every click's behaviour
 * features (what `BehaviourTracker` gives it when fed the day in event-time
 * order), the model's probability over them (`modelProbabilitySql`), and its
 * verdict the way `scoreClick` combines the rules with the model.
 *
 *   model_ips    IPs with a blocklist hit or a data-centre match (the others have none)
 *   model_uas    every user agent of the day with its blocklist hit, declared bot and sanity
 *   model_verdicts the verdict of every click; AMBIGUOUS where the engine's arithmetic
 *                could round to the other side of a threshold than JavaScript's
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
 * Fills model_verdicts for the day. `ambiguity`: clicks whose risk × 10 000 lies
 * this close to a rounding boundary of a threshold get AMBIGUOUS (a test
 * widens it to send every click to JavaScript).
 */
export function modelVerdictsSql(model: LogisticModel, ambiguity = DEFAULT_AMBIGUITY): string {
  const p = modelProbabilitySql(model, {
    declaredBot: "u.bot",
    dataCentreIp: "coalesce(i.dc_feature, false)",
    userAgentMissing: "u.missing",
    userAgentMalformed: "u.malformed",
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
  select c.partner_id, c.event_id, c.campaign_id, c.user_id, c.user_agent, c.ts,
         nullif(c.ip, '') as ip,
         fi.event_id is not null as ip_over, fu.event_id is not null as user_over
  from day_clicks c
  left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
  left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
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
  select *,
    case when ip is null then 0 else least(${HISTORY}, ip_rn - ip_old_minute) end as ip_per_minute,
    case when ip is null then 0 else count(distinct campaign_id) over held end as ip_campaigns,
    case when ip is null then 0 else count(distinct user_agent) over held end as ip_user_agents,
    case when ip is null then 0 else count(distinct user_id) over held end as ip_users
  from ip_kept
  window held as (partition by ip order by ${ORDER} rows between ip_held - 1 preceding and current row)
),
user_ranked as (
  select *,
    ts - lag(ts) over (partition by user_id order by ${ORDER}) as gap,
    row_number() over (partition by user_id order by ${ORDER}) as user_rn,
    count(*) over (partition by user_id order by ts range between unbounded preceding and 60000 preceding) as user_old_minute
  from ip_features
),
f as (
  select *,
    least(${HISTORY}, user_rn - user_old_minute) as user_per_minute,
    case
      when count(gap) over gaps < 3 then null
      when sum(gap) over gaps <= 0 then 0
      else sqrt(var_pop(gap) over gaps) / (sum(gap) over gaps / count(gap) over gaps)
    end as gap_cv,
    case when count(gap) over gaps = 0 then 0
      else (count(gap) filter (where gap < ${SHORT_GAP_MS}) over gaps) / (count(gap) over gaps) end as short_share
  from user_ranked
  window gaps as (partition by user_id order by ${ORDER} rows between ${GAPS - 1} preceding and current row)
),
risk as (
  select f.partner_id, f.event_id, f.ip_over, f.user_over,
    coalesce(i.blocked, false) or u.blocked or u.bot as hard_fraud,
    1 - (case when coalesce(i.dc_rule, false) then ${d(1 - RULE_WEIGHTS.data_centre_ip)} else 1 end)
      * (case when u.missing then ${d(1 - RULE_WEIGHTS.missing_user_agent)} else 1 end)
      * (1 - least(1, greatest(0, ${p}))) as per_click,
    ${volume} as volume
  from f
  left join model_ips i on i.ip = f.ip
  join model_uas u on u.user_agent = f.user_agent
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
from rounded`;
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
  "drop table ambiguous",
  "drop table rescored",
];
