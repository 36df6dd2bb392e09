/**
 * The nightly batch as SQL: the one place of batch logic besides the fraud
 * scoring (which is `scoreClick` from @adclick/shared, the stream's code).
 * Plain SQL with window functions and UNION ALL, so the same statements run on
 * DuckDB here and on Spark SQL or Trino when one machine is outgrown (see the
 * README's "Batch at scale").
 *
 * Tables, in order:
 *   day_raw    every archived click of the day (late hours included)
 *   day_clicks one row per event_id (the earliest received copy)
 *   day_features day_clicks plus exact per-UTC-minute clicks per IP and per user
 *   verdicts   (event_id, verdict) for clicks that are not clean: 1 suspicious, 2 fraud
 *   campaign_meta (campaign_id, advertiser_id) from Postgres
 */

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const CLICK_COLUMNS =
  "event_id, partner_id, campaign_id, advertiser_id, ad_id, user_id, ip, user_agent, ts, received_at, cost_micros, device, country, publisher_id, referrer";

/** All clicks of [dayStartMs, dayEndMs) from the given Parquet files. */
export function createDayRawSql(
  files: readonly string[],
  dayStartMs: number,
  dayEndMs: number,
): string {
  return `create table day_raw as
select ${CLICK_COLUMNS}
from read_parquet([${files.map(quoteLiteral).join(", ")}], union_by_name = true)
where ts >= ${dayStartMs} and ts < ${dayEndMs}`;
}

/** The schema of day_raw when the day has no files. */
export const CREATE_EMPTY_DAY_RAW_SQL = `create table day_raw (
  event_id varchar, partner_id varchar, campaign_id varchar, advertiser_id varchar, ad_id varchar,
  user_id varchar, ip varchar, user_agent varchar, ts bigint, received_at bigint, cost_micros bigint,
  device varchar, country varchar, publisher_id varchar, referrer varchar)`;

/** Exact dedupe by event_id: keep the copy received first (ties broken by content, so re-runs agree). */
export const CREATE_DAY_CLICKS_SQL = `create table day_clicks as
select * from day_raw
qualify row_number() over (
  partition by event_id
  order by received_at, ts, partner_id, campaign_id, ad_id, user_id, ip, user_agent
) = 1`;

/** Whole-day features for scoreClick: exact clicks in the click's UTC minute per IP and per user. */
export const CREATE_DAY_FEATURES_SQL = `create table day_features as
with ip_minute as (
  select ip, ts // 60000 as minute, count(*) as n from day_clicks group by ip, ts // 60000
), user_minute as (
  select user_id, ts // 60000 as minute, count(*) as n from day_clicks group by user_id, ts // 60000
)
select c.*, i.n as ip_clicks_in_minute, u.n as user_clicks_in_minute
from day_clicks c
join ip_minute i on i.ip = c.ip and i.minute = c.ts // 60000
join user_minute u on u.user_id = c.user_id and u.minute = c.ts // 60000`;

/** Columns the scorer reads, in this order. */
export const SCORING_INPUT_SQL = `select event_id, partner_id, campaign_id, advertiser_id, ad_id, user_id, ip, user_agent,
  cast(ts as double) as ts, cast(received_at as double) as received_at, country, device, publisher_id, referrer,
  cast(cost_micros as double) as cost_micros,
  cast(ip_clicks_in_minute as integer) as ip_clicks_in_minute,
  cast(user_clicks_in_minute as integer) as user_clicks_in_minute
from day_features`;

export const CREATE_VERDICTS_SQL =
  "create table verdicts (event_id varchar primary key, verdict utinyint not null)";
export const CREATE_CAMPAIGN_META_SQL =
  "create table campaign_meta (campaign_id varchar, advertiser_id varchar)";

export const COUNTS_SQL = `select
  (select count(*) from day_raw)::double as events_in,
  (select count(*) from day_clicks)::double as unique_events,
  (select count(*) from verdicts where verdict = 2)::double as fraud_removed`;

/**
 * Billing rows per (campaign, dimension) in the C3 spelling: counted clicks are
 * clean + suspicious; fraud is dropped and counted apart; unique users exact.
 */
export const BILLING_ROWS_SQL = `with labeled as (
  select c.campaign_id,
         coalesce(m.advertiser_id, c.advertiser_id) as advertiser_id,
         c.partner_id, c.country, c.device, c.user_id, c.cost_micros,
         coalesce(v.verdict, 0) as verdict
  from day_clicks c
  left join verdicts v on v.event_id = c.event_id
  left join campaign_meta m on m.campaign_id = c.campaign_id
), dims as (
  select campaign_id, advertiser_id, 'all' as dimension, user_id, cost_micros, verdict from labeled
  union all
  select campaign_id, advertiser_id, 'country:' || country, user_id, cost_micros, verdict from labeled where country is not null
  union all
  select campaign_id, advertiser_id, 'device:' || device, user_id, cost_micros, verdict from labeled
  union all
  select campaign_id, advertiser_id, 'partner:' || partner_id, user_id, cost_micros, verdict from labeled
)
select campaign_id,
       min(advertiser_id) as advertiser_id,
       dimension,
       cast(count(*) filter (where verdict < 2) as double) as clicks,
       cast(count(distinct user_id) filter (where verdict < 2) as double) as unique_users,
       cast(coalesce(sum(cost_micros) filter (where verdict < 2), 0) as double) as cost_micros,
       cast(count(*) filter (where verdict = 2) as double) as fraud_clicks,
       cast(count(*) filter (where verdict = 1) as double) as suspicious_clicks
from dims
group by campaign_id, dimension
order by campaign_id, dimension`;
