import { CLICKS_PER_MINUTE_LIMIT } from "@adclick/shared";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  billingRowsByHashSql,
  billingRowsSql,
  billingSqlFor,
  CREATE_EMPTY_DAY_RAW_SQL,
  CREATE_SCORING_TABLES_SQL,
  DEDUPE_SQL,
  featuresSql,
  GROUPING_VALUES_SQL,
  keyCollisionsSql,
  quoteLiteral,
} from "./batch-sql";

const DAY_MS = Date.UTC(2026, 0, 15);
const BOT = "Mozilla/5.0 (compatible; bingbot/2.0)";
const COUNTRIES = ["US", "DE", "FR", null];
const DEVICES = ["mobile", "desktop", "tablet"];

/** A small day with resends, a bot, nameless countries and one user flooding one minute. */
function dayRows(): string[] {
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    return seed % n;
  };
  const rows: string[] = [];
  const row = (i: number, user: string, ts: number, copy = 0) => {
    const campaign = i % 12;
    const values = [
      `e${i}`,
      `partner-${campaign % 5}`,
      `cmp-${campaign}`,
      `adv-${campaign % 3}`,
      `ad-${campaign}`,
      user,
      `10.0.${rand(4)}.${rand(50)}`,
      i % 97 === 0 ? BOT : "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
      ts,
      ts + 50 + copy,
      100_000 + campaign * 1_000,
      DEVICES[rand(DEVICES.length)]!,
      COUNTRIES[rand(COUNTRIES.length)] ?? null,
    ];
    rows.push(
      `(${values.map((v) => (v === null ? "null" : typeof v === "number" ? v : quoteLiteral(v))).join(", ")})`,
    );
  };
  for (let i = 0; i < 3_000; i++) {
    const ts = DAY_MS + i * 20_000;
    row(i, `u${rand(400)}`, ts);
    if (i % 50 === 0) row(i, `u${rand(400)}`, ts, 1_000); // a resend, received later
  }
  // One user clicking past the per-minute limit within one minute.
  for (let j = 0; j < CLICKS_PER_MINUTE_LIMIT + 20; j++) row(10_000 + j, "flooder", DAY_MS + j);
  return rows;
}

async function rowsOf(conn: DuckDBConnection, sql: string) {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS();
}

describe("billing rows grouped by 64-bit keys", () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    conn = await instance.connect();
    await conn.run(CREATE_EMPTY_DAY_RAW_SQL);
    await conn.run(`insert into day_raw values ${dayRows().join(",\n")}`);
    for (const sql of [
      ...DEDUPE_SQL,
      ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
      ...CREATE_SCORING_TABLES_SQL,
    ])
      await conn.run(sql);
    await conn.run(
      `insert into ua_classes select user_agent, case when user_agent = ${quoteLiteral(BOT)} then 1 else 0 end from ua_day`,
    );
    // ua class 1 is fraud; a flood minute makes a click suspicious.
    await conn.run(`insert into class_verdicts
      select 0, ua, ip_over, user_over, case when ua = 1 then 2 when ip_over or user_over then 1 else 0 end
      from (values (0), (1)) a(ua), (values (true), (false)) b(ip_over), (values (true), (false)) c(user_over)`);
    await conn.run(
      "insert into analyst_verdicts values ('partner-1', 'e1', 2), ('partner-2', 'e97', 0)",
    );
    await conn.run("insert into campaign_meta values ('cmp-0', 'adv-renamed')");
    await conn.run(GROUPING_VALUES_SQL);
    // Shares its key between many values: what a 64-bit collision would do.
    await conn.run("create macro weak_hash(x) as hash(x) % 2");
  });

  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it("finds no shared key among the day's values with the 64-bit hash", async () => {
    const [collisions] = await rowsOf(conn, keyCollisionsSql());
    expect(collisions).toEqual({
      campaign_id: 0n,
      country: 0n,
      device: 0n,
      partner_id: 0n,
      user_id: 0n,
    });
  });

  it("gives exactly the rows of the query grouped by the strings", async () => {
    const byString = await rowsOf(conn, billingRowsSql(0));
    const byHash = await rowsOf(conn, billingRowsByHashSql(0));
    expect(byHash).toEqual(byString);

    // The day exercises what could go wrong: every kind of dimension, fraud,
    // suspicious clicks, repeat users, a campaign renamed by the metadata, and
    // no row for the clicks without a country.
    const dimensions = new Set(byString.map((r) => String(r.dimension).split(":")[0]));
    expect(dimensions).toEqual(new Set(["all", "country", "device", "partner"]));
    expect(byString.every((r) => r.dimension !== null && r.dimension !== "country:")).toBe(true);
    expect(byString.some((r) => Number(r.fraud_clicks) > 0)).toBe(true);
    expect(byString.some((r) => Number(r.suspicious_clicks) > 0)).toBe(true);
    expect(byString.some((r) => Number(r.unique_users) < Number(r.clicks))).toBe(true);
    expect(byString.find((r) => r.campaign_id === "cmp-0")?.advertiser_id).toBe("adv-renamed");
  });

  it("notices values that share a key, whose rows would be wrong", async () => {
    const [collisions] = await rowsOf(conn, keyCollisionsSql("weak_hash"));
    for (const column of ["campaign_id", "country", "device", "partner_id", "user_id"])
      expect(Number(collisions?.[column]), column).toBeGreaterThan(0);
    const byString = await rowsOf(conn, billingRowsSql(0));
    const byWeakHash = await rowsOf(conn, billingRowsByHashSql(0, "weak_hash"));
    expect(byWeakHash).not.toEqual(byString);
  });
});

describe("billing rows of a day without clicks", () => {
  it("are none, with no shared key, by either query", async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await instance.connect();
    try {
      await conn.run(CREATE_EMPTY_DAY_RAW_SQL);
      for (const sql of [
        ...DEDUPE_SQL,
        ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
        ...CREATE_SCORING_TABLES_SQL,
        GROUPING_VALUES_SQL,
      ])
        await conn.run(sql);
      const [collisions] = await rowsOf(conn, keyCollisionsSql());
      expect(billingSqlFor(collisions, 0).keys).toBe("hashes");
      expect(await rowsOf(conn, billingRowsByHashSql(0))).toEqual([]);
      expect(await rowsOf(conn, billingRowsSql(0))).toEqual([]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe("billingSqlFor", () => {
  const none = { campaign_id: 0n, country: 0n, device: 0n, partner_id: 0n, user_id: 0n };

  it("groups by hashes only when no column has a shared key", () => {
    expect(billingSqlFor(none, 3)).toEqual({ keys: "hashes", text: billingRowsByHashSql(3) });
    expect(billingSqlFor({ ...none, user_id: 1n }, 3)).toEqual({
      keys: "strings",
      text: billingRowsSql(3),
    });
    expect(billingSqlFor({ ...none, country: 2n }, 3).keys).toBe("strings");
  });

  it("falls back to the strings when the check gave nothing", () => {
    expect(billingSqlFor(undefined, 0).keys).toBe("strings");
    expect(billingSqlFor({}, 0).keys).toBe("strings");
  });
});
