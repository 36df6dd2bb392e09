import { CLICKS_PER_MINUTE_LIMIT } from "@adclick/shared";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  billingRowsByHashSql,
  billingRowsSql,
  billingSqlFor,
  COUNTS_SQL,
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

/** A click row of day_raw: one campaign, a browser user agent, received 50 ms after `ts`. */
function rawRow(c: { partner: string; event: string; user: string; ip: string; ts: number }) {
  const values = [
    c.event,
    c.partner,
    "cmp-x",
    "adv-x",
    "ad-x",
    c.user,
    c.ip,
    "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0",
    c.ts,
    c.ts + 50,
    1_000,
    "desktop",
    "US",
  ];
  return `(${values.map((v) => (typeof v === "number" ? v : quoteLiteral(v))).join(", ")})`;
}

/**
 * Bills `rows` with every user agent clean and a flood flag making a click
 * suspicious; returns each dimension's (clicks, suspicious) and the day's counts.
 */
async function billRows(rows: string[]) {
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const conn = await instance.connect();
  try {
    await conn.run(CREATE_EMPTY_DAY_RAW_SQL);
    await conn.run(`insert into day_raw values ${rows.join(",\n")}`);
    for (const sql of [
      ...DEDUPE_SQL,
      ...featuresSql(CLICKS_PER_MINUTE_LIMIT),
      ...CREATE_SCORING_TABLES_SQL,
      GROUPING_VALUES_SQL,
    ])
      await conn.run(sql);
    await conn.run("insert into ua_classes select user_agent, 0 from ua_day");
    await conn.run(`insert into class_verdicts
      select 0, 0, ip_over, user_over, case when ip_over or user_over then 1 else 0 end
      from (values (true), (false)) b(ip_over), (values (true), (false)) c(user_over)`);
    const byDimension = Object.fromEntries(
      (await rowsOf(conn, billingRowsSql(0))).map((r) => [
        String(r.dimension),
        { clicks: Number(r.clicks), suspicious: Number(r.suspicious_clicks) },
      ]),
    );
    const [counts] = await rowsOf(conn, COUNTS_SQL);
    return {
      byDimension,
      eventsIn: Number(counts?.events_in),
      duplicates: Number(counts?.duplicates),
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe("dedupe key", () => {
  it("is the pair (partner_id, event_id): two partners' equal event_ids are two clicks", async () => {
    const t = DAY_MS + 3_600_000;
    const billed = await billRows([
      rawRow({ partner: "p1", event: "e1", user: "u1", ip: "10.0.0.1", ts: t }),
      rawRow({ partner: "p2", event: "e1", user: "u2", ip: "10.0.0.2", ts: t + 1 }),
      rawRow({ partner: "p1", event: "e1", user: "u1", ip: "10.0.0.1", ts: t }), // a resend
    ]);
    expect(billed).toEqual({
      byDimension: {
        all: { clicks: 2, suspicious: 0 },
        "country:US": { clicks: 2, suspicious: 0 },
        "device:desktop": { clicks: 2, suspicious: 0 },
        "partner:p1": { clicks: 1, suspicious: 0 },
        "partner:p2": { clicks: 1, suspicious: 0 },
      },
      eventsIn: 3,
      duplicates: 1,
    });
  });
});

describe("flood flag", () => {
  const minute = DAY_MS + 5 * 3_600_000;

  it("flags only the clicks past the 100th of an IP's UTC minute, ranked by (ts, partner_id, event_id)", async () => {
    const rows: string[] = [];
    // 130 clicks from one IP in one minute, each by its own user; the last 30 by ts are flagged.
    for (let i = 0; i < 130; i++)
      rows.push(
        rawRow({ partner: "p1", event: `ip-${i}`, user: `u${i}`, ip: "10.0.0.9", ts: minute + i }),
      );
    // The next minute: 101 clicks at one instant; the tie is broken by partner, then event id.
    for (let i = 0; i < 100; i++)
      rows.push(
        rawRow({
          partner: "p1",
          event: `tie-${String(i).padStart(3, "0")}`,
          user: `v${i}`,
          ip: "10.0.0.9",
          ts: minute + 60_000,
        }),
      );
    rows.push(
      rawRow({ partner: "p2", event: "tie-000", user: "w", ip: "10.0.0.9", ts: minute + 60_000 }),
    );
    const billed = await billRows(rows);
    expect(billed.byDimension.all).toEqual({ clicks: 231, suspicious: 31 });
    expect(billed.byDimension["partner:p2"]).toEqual({ clicks: 1, suspicious: 1 });
  });

  it("flags only the clicks past the 100th of a user's UTC minute", async () => {
    const rows: string[] = [];
    for (let i = 0; i < 105; i++)
      rows.push(
        rawRow({
          partner: "p1",
          event: `u-${i}`,
          user: "flooder",
          ip: `10.1.0.${i}`,
          ts: minute + i * 100,
        }),
      );
    // Exactly 100 in a minute is not a flood.
    for (let i = 0; i < 100; i++)
      rows.push(
        rawRow({
          partner: "p1",
          event: `e-${i}`,
          user: "edge",
          ip: `10.2.0.${i}`,
          ts: minute + i * 100,
        }),
      );
    const billed = await billRows(rows);
    expect(billed.byDimension.all).toEqual({ clicks: 205, suspicious: 5 });
  });
});
