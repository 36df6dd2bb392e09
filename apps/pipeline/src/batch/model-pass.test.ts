import {
  BlocklistMatcher,
  CLICKS_PER_MINUTE_LIMIT,
  type ClickRecord,
  DEFAULT_DATA_CENTRES,
  LogisticModel,
  ModelScorer,
} from "@adclick/shared";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { featureRows, labelledDay } from "../fraud/labelled-examples";
import { trainLogistic } from "../fraud/train-logistic";
import {
  CREATE_EMPTY_DAY_RAW_SQL,
  CREATE_SCORING_TABLES_SQL,
  DEDUPE_SQL,
  featuresSql,
  GROUPING_VALUES_SQL,
  MODEL_INPUT_SQL,
} from "./batch-sql";
import { type ModelPassContext, scoreClicksInJs, scoreDayWithModel } from "./model-pass";
import { VERDICT_CODE } from "./scoring-classes";

const DAY_MS = Date.UTC(2026, 1, 10);
const CAMPAIGNS = Array.from({ length: 4 }, (_, i) => ({ id: `mp-c${i}`, cpcMicros: 100_000 }));
const sim = { durationSec: 2 * 3600, ratePerSec: 1, campaigns: CAMPAIGNS };

/** A labelled day, plus what the rules see apart: a flood minute, a blocked IP, missing user agents, a resend. */
function dayClicks(): ClickRecord[] {
  const clicks = labelledDay(31, { dayStartMs: DAY_MS + 3600_000, ...sim }).map((e) => e.click);
  const base = clicks[100]!;
  for (let j = 0; j < CLICKS_PER_MINUTE_LIMIT + 30; j++)
    clicks.push({ ...base, event_id: `flood-${j}`, ts: DAY_MS + 7200_000 + j * 100 });
  for (let j = 0; j < 20; j++)
    clicks.push({ ...clicks[200 + j]!, event_id: `noua-${j}`, user_agent: "" });
  clicks.push({ ...clicks[300]!, received_at: clicks[300]!.received_at + 5_000 });
  return clicks;
}

const train = labelledDay(32, { dayStartMs: DAY_MS - 86_400_000, ...sim });
const params = trainLogistic(
  featureRows(train.map((e) => e.click)).vectors,
  train.map((e) => e.label),
  { steps: 200 },
);

async function loadDay(conn: DuckDBConnection, clicks: readonly ClickRecord[]) {
  await conn.run(CREATE_EMPTY_DAY_RAW_SQL);
  const a = await conn.createAppender("day_raw");
  for (const c of clicks) {
    for (const v of [c.event_id, c.partner_id, c.campaign_id, c.advertiser_id, c.ad_id, c.user_id])
      a.appendVarchar(v);
    a.appendVarchar(c.ip);
    a.appendVarchar(c.user_agent);
    a.appendBigInt(BigInt(c.ts));
    a.appendBigInt(BigInt(c.received_at));
    a.appendBigInt(BigInt(c.cost_micros));
    a.appendVarchar(c.device);
    if (c.country === null) a.appendNull();
    else a.appendVarchar(c.country);
    a.endRow();
  }
  a.closeSync();
  for (const sql of [
    ...DEDUPE_SQL,
    ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
    ...CREATE_SCORING_TABLES_SQL,
    GROUPING_VALUES_SQL,
  ])
    await conn.run(sql);
}

const verdictsOf = async (conn: DuckDBConnection) =>
  new Map(
    (await conn.runAndReadAll("select partner_id, event_id, verdict from model_verdicts"))
      .getRowsJS()
      .map(([p, e, v]) => [`${p}/${e}`, Number(v)]),
  );

describe("the model's pass in DuckDB", () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const clicks = dayClicks();
  const ctx: ModelPassContext = {
    model: new ModelScorer(new LogisticModel(1, params), { dataCentres: DEFAULT_DATA_CENTRES }),
    blocklist: new BlocklistMatcher([{ kind: "ip", value: clicks[500]!.ip }]),
  };

  beforeEach(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    conn = await instance.connect();
    await loadDay(conn, clicks);
  });
  afterEach(() => {
    conn.closeSync();
    instance.closeSync();
  });

  let clean = 0;
  /**
   * `scoreClick` with the model and a tracker over the whole day, click by
   * click: the verdicts other than clean (model_verdicts leaves clean clicks out).
   */
  const reference = async () => {
    const out = new Map<string, number>();
    clean = 0;
    await scoreClicksInJs(conn, MODEL_INPUT_SQL, ctx, (c, verdict) => {
      if (verdict === "clean") clean++;
      else out.set(`${c.partner_id}/${c.event_id}`, VERDICT_CODE[verdict]);
    });
    return out;
  };

  it("gives every click the verdict scoreClick gives it, without rescoring any", async () => {
    const expected = await reference();
    expect(await scoreDayWithModel(conn, ctx)).toBe(0);
    const actual = await verdictsOf(conn);
    expect(actual).toEqual(expected);
    // The day exercises every verdict, and the model decides some of them.
    const counts = [1, 2].map((v) => [...expected.values()].filter((x) => x === v).length);
    expect([clean, ...counts].every((n) => n > 0)).toBe(true);
    expect(counts[1]).toBeGreaterThan(
      clicks.filter((c) => /bot|crawl|spider/i.test(c.user_agent)).length,
    );
  });

  it("rescoring the clicks it calls ambiguous in JavaScript gives the same verdicts", async () => {
    const expected = await reference();
    // Every click is "ambiguous": all of them go through scoreClick over their IPs' and users' clicks.
    const rescored = await scoreDayWithModel(conn, ctx, { ambiguity: 1e12 });
    expect(rescored).toBeGreaterThan(clicks.length * 0.9);
    expect(await verdictsOf(conn)).toEqual(expected);
  });

  it("counts the distinct values per IP by the strings as by their hashes", async () => {
    const expected = await reference();
    expect(await scoreDayWithModel(conn, ctx, { keys: "strings" })).toBe(0);
    expect(await verdictsOf(conn)).toEqual(expected);
  });
});
