/**
 * The nightly batch as SQL: the one place of batch logic besides the fraud
 * scoring (which is `scoreClick` from @adclick/shared, the stream's code, run
 * once per scoring class: see scoring-classes.ts). Plain SQL (window
 * functions, outer joins, GROUPING SETS, count(distinct), FILTER), so the same
 * statements run on DuckDB here and on Spark SQL or Trino when one machine is
 * outgrown (see the README's "Batch at scale").
 *
 * Nothing the size of the day is materialised: `day_raw` and `day_clicks` are
 * views over the Parquet files (DuckDB reads only the columns a query needs),
 * every table below is small or spills, and each statement is one streaming
 * pass over the files.
 *
 *   day_raw       view: every archived click of the day (late hours included)
 *   dup_ids       (partner_id, event_id) pairs received more than once, with their number of copies
 *   dup_winners   the first-received copy of each of them
 *   day_clicks    view: one row per (partner_id, event_id)
 *   ip_day, ua_day  distinct IPs / user agents of every copy, with their clicks (to classify in JS)
 *   user_day      distinct users of every copy, with their clicks
 *   ip_floods, user_floods  (partner_id, event_id) of the clicks past the per-minute limit of
 *                 their IP / user
 *   grouping_values distinct (campaign, country, device, partner) of every copy: the
 *                 strings behind the 64-bit keys the billing rows are grouped by
 *   ip_classes, ua_classes  scoring class of each IP / user agent (IPs of the
 *                 commonest class are left out)
 *   class_verdicts verdict of every (ip class, ua class, ip over, user over)
 *   analyst_verdicts analysts' final decisions (override the model)
 *   model_verdicts the verdict of every click when a model was active for the day:
 *                 `scoreClick` with the model, click by click in event-time order
 *                 (behaviour features need the click's history); empty otherwise
 *   campaign_meta (campaign_id, advertiser_id) from Postgres
 */

export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Columns the batch reads from the lake (publisher_id and referrer are not billed on). */
const CLICK_COLUMNS =
  "event_id, partner_id, campaign_id, advertiser_id, ad_id, user_id, ip, user_agent, ts, received_at, cost_micros, device, country";

/**
 * CLICK_COLUMNS as read from a file: a missing IP or user agent (a file of an
 * older writer) is the empty string, which `scoreClick` scores with what the
 * click has (no IP rule matches it; no user agent is `missing_user_agent`).
 */
const READ_COLUMNS = CLICK_COLUMNS.replace(
  /\b(ip|user_agent)\b/g,
  (column) => `coalesce(${column}, '') as ${column}`,
);

/** All clicks of [dayStartMs, dayEndMs) from the given Parquet files. */
export function createDayRawSql(
  files: readonly string[],
  dayStartMs: number,
  dayEndMs: number,
): string {
  return `create view day_raw as
select ${READ_COLUMNS}
from read_parquet([${files.map(quoteLiteral).join(", ")}], union_by_name = true)
where ts >= ${dayStartMs} and ts < ${dayEndMs}`;
}

/** The schema of day_raw when the day has no files. */
export const CREATE_EMPTY_DAY_RAW_SQL = `create table day_raw (
  event_id varchar, partner_id varchar, campaign_id varchar, advertiser_id varchar, ad_id varchar,
  user_id varchar, ip varchar, user_agent varchar, ts bigint, received_at bigint, cost_micros bigint,
  device varchar, country varchar)`;

/**
 * Exact dedupe by the pair (partner_id, event_id) (C1: two partners' equal
 * event_ids are two clicks), keeping the copy received first (ties broken by
 * content, so re-runs agree). Only the pairs that occur more than once (about
 * 1%) are ordered; the rest pass through.
 */
export const DEDUPE_SQL = [
  "create table dup_ids as select partner_id, event_id, count(*) as copies from day_raw group by partner_id, event_id having count(*) > 1",
  `create table dup_winners as
select ${CLICK_COLUMNS} from (
  select r.*, row_number() over (
    partition by r.partner_id, r.event_id
    order by received_at, ts, campaign_id, ad_id, user_id, ip, user_agent,
      advertiser_id, cost_micros, device, country
  ) as copy_rank
  from day_raw r
  join dup_ids d on d.partner_id = r.partner_id and d.event_id = r.event_id
) ranked
where copy_rank = 1`,
  // An outer join rather than NOT EXISTS: DuckDB plans the correlated form as a
  // delim join that materialises every column of the day before filtering.
  `create view day_clicks as
select ${CLICK_COLUMNS.replace(/(\w+)/g, "r.$1")} from day_raw r
left join dup_ids d on d.partner_id = r.partner_id and d.event_id = r.event_id
where d.event_id is null
union all
select ${CLICK_COLUMNS} from dup_winners`,
];

/**
 * Whole-day features: the distinct IPs and user agents (to classify), and the
 * clicks past the `limit`-th of their IP's or their user's UTC minute, ranked
 * by (ts, partner_id, event_id): the first `limit` of a minute are never
 * flagged, as in the stream. Only IPs and users with more than `limit` clicks
 * in the day can have such a minute, so only their clicks are ranked. A click
 * without an IP (the empty string) is no IP's flood.
 *
 * The class lists and those pre-filters read `day_raw`, not the deduplicated
 * `day_clicks`: they only need a superset (an IP seen only in a losing copy is
 * classified for nothing; counts with copies are upper bounds), and that skips
 * the dedupe join on three of the four passes. The ranking that decides a
 * flood reads `day_clicks`.
 */
export function featuresSql(limit: number): string[] {
  const pastLimit = (column: string, table: string, extra = "") => `create table ${table} as
select partner_id, event_id from (
  select partner_id, event_id, row_number() over (
    partition by ${column}, ts // 60000 order by ts, partner_id, event_id
  ) as nth
  from day_clicks
  where ${column} in (select ${column} from ${column === "ip" ? "ip_day" : "user_day"} where clicks > ${limit}${extra})
) ranked
where nth > ${limit}`;
  return [
    "create table ip_day as select ip, count(*) as clicks from day_raw group by ip",
    "create table ua_day as select user_agent, count(*) as clicks from day_raw group by user_agent",
    "create table user_day as select user_id, count(*) as clicks from day_raw group by user_id",
    pastLimit("ip", "ip_floods", " and ip <> ''"),
    pastLimit("user_id", "user_floods"),
  ];
}

export const CREATE_SCORING_TABLES_SQL = [
  "create table ip_classes (ip varchar, ip_class integer)",
  "create table ua_classes (user_agent varchar, ua_class integer)",
  "create table class_verdicts (ip_class integer, ua_class integer, ip_over boolean, user_over boolean, verdict utinyint)",
  "create table analyst_verdicts (partner_id varchar, event_id varchar, verdict utinyint)",
  "create table model_verdicts (partner_id varchar, event_id varchar, verdict utinyint)",
  "create table campaign_meta (campaign_id varchar, advertiser_id varchar)",
];

export const COUNTS_SQL = `select
  (select count(*) from day_raw)::double as events_in,
  (select coalesce(sum(copies - 1), 0) from dup_ids)::double as duplicates`;

/** The day's clicks in event-time order with their volume flags, for per-click (model) scoring. */
export const MODEL_INPUT_SQL = `select c.event_id, c.partner_id, c.campaign_id, c.advertiser_id, c.ad_id,
       c.user_id, c.ip, c.user_agent, c.ts, c.received_at, c.cost_micros, c.device, c.country,
       fi.event_id is not null as ip_over, fu.event_id is not null as user_over
from day_clicks c
left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
order by c.ts, c.partner_id, c.event_id`;

/**
 * Every click of the day with its verdict: the analyst's when there is one,
 * else the model's pass (when a model was active), else its class's. IPs missing from ip_classes are of class `defaultIpClass`.
 * `keys` adds columns computed from the click's own (`c.`) columns.
 */
function labeledSql(defaultIpClass: number, keys = ""): string {
  return `select c.campaign_id,
         coalesce(m.advertiser_id, c.advertiser_id) as advertiser_id,
         c.partner_id, c.country, c.device, c.user_id, c.cost_micros,${keys}
         coalesce(a.verdict, mv.verdict, v.verdict) as verdict
  from day_clicks c
  left join ip_classes ic on ic.ip = c.ip
  left join ua_classes uc on uc.user_agent = c.user_agent
  left join ip_floods fi on fi.partner_id = c.partner_id and fi.event_id = c.event_id
  left join user_floods fu on fu.partner_id = c.partner_id and fu.event_id = c.event_id
  left join class_verdicts v
    on v.ip_class = coalesce(ic.ip_class, ${defaultIpClass})
   and v.ua_class = uc.ua_class
   and v.ip_over = (fi.event_id is not null)
   and v.user_over = (fu.event_id is not null)
  left join analyst_verdicts a on a.partner_id = c.partner_id and a.event_id = c.event_id
  left join model_verdicts mv on mv.partner_id = c.partner_id and mv.event_id = c.event_id
  left join campaign_meta m on m.campaign_id = c.campaign_id`;
}

/**
 * The billing rows' figures, unique users counted over `user`: counted clicks
 * are clean + suspicious, fraud is dropped and counted apart.
 */
const billingSums = (user: string) => `min(advertiser_id) as advertiser_id,
       cast(count(*) filter (where verdict < 2) as double) as clicks,
       cast(count(distinct ${user}) filter (where verdict < 2) as double) as unique_users,
       cast(coalesce(sum(cost_micros) filter (where verdict < 2), 0) as double) as cost_micros,
       cast(count(*) filter (where verdict = 2) as double) as fraud_clicks,
       cast(count(*) filter (where verdict = 1) as double) as suspicious_clicks,
       cast(count(*) filter (where verdict is null) as double) as unscored`;

/**
 * Billing rows per (campaign, dimension) in the C3 spelling, with exact unique
 * users, grouped by the strings themselves. The reference, and the fallback of
 * billingRowsByHashSql when a 64-bit key is shared by two values.
 */
export function billingRowsSql(defaultIpClass: number): string {
  return `with labeled as (
  ${labeledSql(defaultIpClass)}
)
select campaign_id,
       case
         when grouping(country) = 0 then 'country:' || country
         when grouping(device) = 0 then 'device:' || device
         when grouping(partner_id) = 0 then 'partner:' || partner_id
         else 'all'
       end as dimension,
       ${billingSums("user_id")}
from labeled
group by grouping sets ((campaign_id), (campaign_id, country), (campaign_id, device),
  (campaign_id, partner_id))
having grouping(country) = 1 or country is not null
order by campaign_id, dimension`;
}

/**
 * The billing rows' sums without the unique users: the labelling joins and the
 * grouping sets over 64-bit keys, the least the billing query does besides
 * the distinct users (one of the bench's least passes).
 */
export function labelledSumsSql(defaultIpClass: number): string {
  const keys = `
         hash(c.campaign_id) as campaign_key, hash(c.country) as country_key,
         hash(c.device) as device_key, hash(c.partner_id) as partner_key,`;
  return `with labeled as (
  ${labeledSql(defaultIpClass, keys)}
)
select count(*) as rows from (
  select campaign_key, country_key, device_key, partner_key,
         min(advertiser_id) as advertiser_id,
         count(*) filter (where verdict < 2) as clicks,
         coalesce(sum(cost_micros) filter (where verdict < 2), 0) as cost_micros,
         count(*) filter (where verdict = 2) as fraud_clicks,
         count(*) filter (where verdict = 1) as suspicious_clicks
  from labeled
  group by grouping sets ((campaign_key), (campaign_key, country_key), (campaign_key, device_key),
    (campaign_key, partner_key))
)`;
}

/** Distinct (campaign, country, device, partner) of every copy of the day's clicks. */
export const GROUPING_VALUES_SQL = `create table grouping_values as
select distinct campaign_id, country, device, partner_id from day_raw`;

/**
 * Per grouping column, how many of its values share their 64-bit `hashFn` with
 * another value (NULL counts as a value). All zero: grouping by the hashes is
 * exactly grouping by the strings. `hashFn` is a parameter so tests can use a
 * weak one.
 */
export function keyCollisionsSql(hashFn = "hash"): string {
  const shared = (column: string, table: string) =>
    `(select count(*) from (select distinct ${column} from ${table}))
     - (select count(distinct ${hashFn}(${column})) from ${table}) as ${column}`;
  return `select ${shared("campaign_id", "grouping_values")},
  ${shared("country", "grouping_values")},
  ${shared("device", "grouping_values")},
  ${shared("partner_id", "grouping_values")},
  ${shared("user_id", "user_day")}`;
}

/**
 * The rows of billingRowsSql, grouped by 64-bit hashes of the campaign, the
 * dimension values and the user instead of the strings: DuckDB's hash
 * aggregation over integers takes about half the time (see the README). Exact
 * only when keyCollisionsSql found no shared hash; the strings come back from
 * grouping_values.
 */
export function billingRowsByHashSql(defaultIpClass: number, hashFn = "hash"): string {
  const keys = `
         ${hashFn}(c.campaign_id) as campaign_key, ${hashFn}(c.country) as country_key,
         ${hashFn}(c.device) as device_key, ${hashFn}(c.partner_id) as partner_key,
         ${hashFn}(c.user_id) as user_key,`;
  // grouping(country_key, device_key, partner_key) as bits 4, 2, 1: 3 = by country, 5 = by device, 6 = by partner, 7 = all.
  return `with labeled as (
  ${labeledSql(defaultIpClass, keys)}
),
sums as (
  select campaign_key, country_key, device_key, partner_key,
         grouping(country_key, device_key, partner_key) as grouped,
         ${billingSums("user_key")}
  from labeled
  group by grouping sets ((campaign_key), (campaign_key, country_key), (campaign_key, device_key),
    (campaign_key, partner_key))
),
campaigns as (select distinct campaign_id, ${hashFn}(campaign_id) as campaign_key from grouping_values),
countries as (
  select distinct country, ${hashFn}(country) as country_key from grouping_values where country is not null
),
devices as (select distinct device, ${hashFn}(device) as device_key from grouping_values),
partners as (select distinct partner_id, ${hashFn}(partner_id) as partner_key from grouping_values)
select c.campaign_id,
       case s.grouped
         when 3 then 'country:' || co.country
         when 5 then 'device:' || d.device
         when 6 then 'partner:' || p.partner_id
         else 'all'
       end as dimension,
       s.advertiser_id, s.clicks, s.unique_users, s.cost_micros, s.fraud_clicks,
       s.suspicious_clicks, s.unscored
from sums s
join campaigns c on c.campaign_key = s.campaign_key
left join countries co on s.grouped = 3 and co.country_key = s.country_key
left join devices d on s.grouped = 5 and d.device_key = s.device_key
left join partners p on s.grouped = 6 and p.partner_key = s.partner_key
where s.grouped <> 3 or co.country is not null
order by campaign_id, dimension`;
}

/**
 * The billing query for the day: grouped by 64-bit keys when no two values of a
 * grouping column (or two users) share one, else by the strings.
 */
export function billingSqlFor(
  collisions: Record<string, unknown> | undefined,
  defaultIpClass: number,
): { keys: "hashes" | "strings"; text: string } {
  const counts = Object.values(collisions ?? {});
  const exact = counts.length > 0 && counts.every((n) => Number(n) === 0);
  return exact
    ? { keys: "hashes", text: billingRowsByHashSql(defaultIpClass) }
    : { keys: "strings", text: billingRowsSql(defaultIpClass) };
}
