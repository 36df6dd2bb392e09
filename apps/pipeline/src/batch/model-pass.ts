import {
  BehaviourTracker,
  type BlocklistMatcher,
  CLICKS_PER_MINUTE_LIMIT,
  type ClickRecord,
  type DataCentreMatcher,
  DEFAULT_DATA_CENTRES,
  isDeclaredBot,
  type ModelScorer,
  type ScoringContext,
  scoreClick,
  userAgentSanity,
} from "@adclick/shared";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  AMBIGUOUS_HISTORY_SQL,
  APPLY_RESCORED_SQL,
  CREATE_MODEL_TABLES_SQL,
  DEFAULT_AMBIGUITY,
  MODEL_KEY_COLLISIONS_SQL,
  modelVerdictsSql,
} from "./model-sql";
import { VERDICT_CODE } from "./scoring-classes";

export interface ModelPassContext {
  model: ModelScorer;
  blocklist: BlocklistMatcher;
  /** The data-centre ranges of the rules (the model's feature uses its own). */
  dataCentres?: DataCentreMatcher;
}

/**
 * Fills `model_verdicts` with the verdict of every click of the day: the
 * features, the model and the rules in DuckDB (model-sql.ts), then, for the
 * rare clicks whose risk the engine's `ln`/`exp` could round across a
 * threshold, `scoreClick` itself over their IPs' and users' clicks. The
 * distinct campaigns, user agents and users per IP are counted over 64-bit
 * hashes unless two of the day's values share one (`grouping_values` must
 * exist).
 * Returns how many clicks were rescored that way.
 */
export async function scoreDayWithModel(
  conn: DuckDBConnection,
  ctx: ModelPassContext,
  opts: { ambiguity?: number; keys?: "hashes" | "strings" } = {},
): Promise<number> {
  const ambiguity = opts.ambiguity ?? DEFAULT_AMBIGUITY;
  for (const sql of CREATE_MODEL_TABLES_SQL) await conn.run(sql);
  await classifyForModel(conn, ctx);
  const shared = (await conn.runAndReadAll(MODEL_KEY_COLLISIONS_SQL)).getRowsJS()[0]?.[0];
  const keys = opts.keys ?? (Number(shared) === 0 ? "hashes" : "strings");
  await conn.run(modelVerdictsSql(ctx.model.model, ambiguity, keys));
  await conn.run(AMBIGUOUS_HISTORY_SQL[0]!);
  await conn.run("create table rescored (partner_id varchar, event_id varchar, verdict utinyint)");
  const appender = await conn.createAppender("rescored");
  let rescored = 0;
  await scoreClicksInJs(conn, AMBIGUOUS_HISTORY_SQL[1]!, ctx, (click, verdict, ambiguous) => {
    if (!ambiguous) return;
    appender.appendVarchar(click.partner_id);
    appender.appendVarchar(click.event_id);
    appender.appendUTinyInt(VERDICT_CODE[verdict]);
    appender.endRow();
    rescored++;
  });
  appender.closeSync();
  for (const sql of APPLY_RESCORED_SQL) await conn.run(sql);
  return rescored;
}

/** Per IP and per user agent of the day, what the rules and the model's features read of it. */
async function classifyForModel(conn: DuckDBConnection, ctx: ModelPassContext): Promise<void> {
  const ruleCentres = ctx.dataCentres ?? DEFAULT_DATA_CENTRES;
  const featureCentres = ctx.model.ctx.dataCentres;
  const ips = await conn.createAppender("model_ips");
  const ipResult = await conn.stream("select ip from ip_day where ip is not null and ip <> ''");
  for (;;) {
    const chunk = await ipResult.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const ip of chunk.getColumns()[0] as string[]) {
      const blocked = ctx.blocklist.match(ip, null) !== null;
      const dcRule = ruleCentres.has(ip);
      const dcFeature = featureCentres.has(ip);
      if (!blocked && !dcRule && !dcFeature) continue;
      ips.appendVarchar(ip);
      ips.appendBoolean(blocked);
      ips.appendBoolean(dcRule);
      ips.appendBoolean(dcFeature);
      ips.endRow();
    }
  }
  ips.closeSync();
  const uas = await conn.createAppender("model_uas");
  const uaRows = (
    await conn.runAndReadAll("select user_agent from ua_day where user_agent is not null")
  ).getRowsJS();
  for (const [value] of uaRows) {
    const ua = String(value);
    const trimmed = ua.trim();
    const bot = trimmed !== "" && isDeclaredBot(trimmed);
    uas.appendVarchar(ua);
    uas.appendBoolean(ctx.blocklist.match(null, ua) !== null);
    uas.appendBoolean(bot);
    uas.appendBoolean(trimmed === "");
    uas.appendBoolean(userAgentSanity(trimmed) === "malformed" && !bot);
    uas.endRow();
  }
  uas.closeSync();
}

const MODEL_INPUT_COLUMNS = [
  "event_id",
  "partner_id",
  "campaign_id",
  "advertiser_id",
  "ad_id",
  "user_id",
  "ip",
  "user_agent",
  "ts",
  "received_at",
  "cost_micros",
  "device",
  "country",
  "ip_over",
  "user_over",
  "ambiguous",
] as const;

/**
 * The reference: `scoreClick` with the model over the clicks `sql` selects (in
 * event-time order, with their volume flags), each with the behaviour
 * features of the clicks before it, as the stream scores them.
 */
export async function scoreClicksInJs(
  conn: DuckDBConnection,
  sql: string,
  ctx: ModelPassContext,
  onScore: (click: ClickRecord, verdict: keyof typeof VERDICT_CODE, flagged: boolean) => void,
): Promise<void> {
  const scoring: ScoringContext = {
    dataCentres: ctx.dataCentres,
    blocklist: ctx.blocklist,
    model: ctx.model,
  };
  const tracker = new BehaviourTracker();
  const result = await conn.stream(sql);
  const columns = result.columnNames();
  const names = MODEL_INPUT_COLUMNS.filter((c) => columns.includes(c));
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const r of chunk.getRowObjects(names)) {
      const click: ClickRecord = {
        event_id: String(r.event_id),
        partner_id: String(r.partner_id),
        campaign_id: String(r.campaign_id),
        advertiser_id: String(r.advertiser_id),
        ad_id: String(r.ad_id),
        user_id: String(r.user_id),
        ip: String(r.ip ?? ""),
        user_agent: String(r.user_agent ?? ""),
        ts: Number(r.ts),
        received_at: Number(r.received_at),
        cost_micros: Number(r.cost_micros),
        device: String(r.device) as ClickRecord["device"],
        country: r.country == null ? null : String(r.country),
        publisher_id: null,
        referrer: null,
      };
      const scorable = { ...click, ip: click.ip === "" ? null : click.ip };
      const s = scoreClick(
        scorable,
        {
          ipClicksInMinute: r.ip_over ? CLICKS_PER_MINUTE_LIMIT + 1 : 1,
          userClicksInMinute: r.user_over ? CLICKS_PER_MINUTE_LIMIT + 1 : 1,
          behaviour: tracker.observe(scorable),
        },
        scoring,
      );
      onScore(click, s.verdict, Boolean(r.ambiguous));
    }
  }
}
