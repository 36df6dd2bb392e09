import { describe, expect, it } from "vitest";
import { BlocklistMatcher } from "./blocklist";
import { BOT_LIST_VERSION } from "./bots";
import { DATA_CENTRE_RANGES } from "./data-centre-ranges";
import { DataCentreMatcher } from "./data-centres";
import {
  type ClickFeatures,
  type ClickScorer,
  minuteBucket,
  RULES_VERSION,
  reasonClass,
  type ScorableClick,
  scoreClick,
  verdictOf,
} from "./score";

const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

const click = (over: Partial<ScorableClick> = {}): ScorableClick => ({
  event_id: "e1",
  partner_id: "p1",
  campaign_id: "c1",
  advertiser_id: "a1",
  ad_id: "ad1",
  user_id: "u1",
  ip: "198.51.100.7",
  user_agent: BROWSER,
  ts: Date.UTC(2026, 0, 1, 12, 0, 30),
  received_at: Date.UTC(2026, 0, 1, 12, 0, 31),
  country: "US",
  device: "desktop",
  publisher_id: null,
  referrer: null,
  cost_micros: 250_000,
  ...over,
});
const quiet: ClickFeatures = { ipClicksInMinute: 1, userClicksInMinute: 1, isDuplicate: false };

describe("scoreClick", () => {
  it("passes an ordinary click as clean with no reasons", () => {
    expect(scoreClick(click(), quiet)).toMatchObject({ risk: 0, verdict: "clean", reasons: [] });
  });

  it("maps risk to verdicts at the C8 thresholds", () => {
    expect(verdictOf(0.2999)).toBe("clean");
    expect(verdictOf(0.3)).toBe("suspicious");
    expect(verdictOf(0.6999)).toBe("suspicious");
    expect(verdictOf(0.7)).toBe("fraud");
    expect(verdictOf(1)).toBe("fraud");
  });

  it("treats every kind of blocklist hit as fraud", () => {
    const ctx = {
      blocklist: new BlocklistMatcher([
        { kind: "ip", value: "203.0.113.9" },
        { kind: "cidr", value: "192.0.2.0/24" },
        { kind: "user_agent", value: "EvilClicker" },
      ]),
    };
    expect(scoreClick(click({ ip: "203.0.113.9" }), quiet, ctx)).toMatchObject({
      risk: 1,
      verdict: "fraud",
      reasons: ["blocklist_ip"],
    });
    expect(scoreClick(click({ ip: "192.0.2.200" }), quiet, ctx).reasons).toEqual([
      "blocklist_cidr",
    ]);
    expect(
      scoreClick(click({ user_agent: `${BROWSER} evilclicker/2` }), quiet, ctx).reasons,
    ).toEqual(["blocklist_user_agent"]);
    expect(scoreClick(click({ ip: "203.0.113.10" }), quiet, ctx).verdict).toBe("clean");
  });

  it("treats declared bots and crawlers as fraud", () => {
    for (const ua of [
      "Googlebot/2.1 (+http://www.google.com/bot.html)",
      "curl/8.5.0",
      "python-requests/2.31",
      "Mozilla/5.0 HeadlessChrome/120.0",
    ]) {
      expect(scoreClick(click({ user_agent: ua }), quiet)).toMatchObject({
        verdict: "fraud",
        reasons: ["declared_bot"],
      });
    }
  });

  it("scores a click with a null ip or user agent with what it has, never throwing", () => {
    const ctx = {
      blocklist: new BlocklistMatcher([
        { kind: "ip", value: "203.0.113.9" },
        { kind: "cidr", value: "192.0.2.0/24" },
        { kind: "user_agent", value: "EvilClicker" },
      ]),
    };
    // No IP: the IP rules cannot fire, the user agent's still do.
    expect(scoreClick(click({ ip: null }), quiet, ctx)).toMatchObject({
      risk: 0,
      verdict: "clean",
      reasons: [],
    });
    expect(
      scoreClick(click({ ip: null, user_agent: "EvilClicker/1" }), quiet, ctx).reasons,
    ).toEqual(["blocklist_user_agent"]);
    expect(scoreClick(click({ ip: null, user_agent: "curl/8.5.0" }), quiet, ctx).reasons).toEqual([
      "declared_bot",
    ]);
    // No user agent: it is missing (as an empty one is); the IP rules still fire.
    expect(scoreClick(click({ user_agent: null }), quiet, ctx)).toMatchObject({
      risk: 0.3,
      verdict: "suspicious",
      reasons: ["missing_user_agent"],
    });
    expect(scoreClick(click({ user_agent: null, ip: "192.0.2.5" }), quiet, ctx).reasons).toEqual([
      "blocklist_cidr",
    ]);
    expect(scoreClick(click({ user_agent: null, ip: "34.120.1.1" }), quiet).reasons).toEqual([
      "data_centre_ip",
      "missing_user_agent",
    ]);
    expect(scoreClick(click({ ip: null, user_agent: null }), quiet, ctx).verdict).toBe(
      "suspicious",
    );
  });

  it("has no duplicate rule: a duplicate is removed before scoring, never scored as fraud", () => {
    expect(scoreClick(click(), { ...quiet, isDuplicate: true })).toMatchObject({
      risk: 0,
      verdict: "clean",
      reasons: [],
    });
  });

  it("flags more than 100 clicks a minute from one IP or user as suspicious, 100 is fine", () => {
    expect(
      scoreClick(click(), { ...quiet, ipClicksInMinute: 100, userClicksInMinute: 100 }).verdict,
    ).toBe("clean");
    expect(scoreClick(click(), { ...quiet, ipClicksInMinute: 101 })).toMatchObject({
      risk: 0.4,
      verdict: "suspicious",
      reasons: ["ip_over_100_per_minute"],
    });
    expect(scoreClick(click(), { ...quiet, userClicksInMinute: 5000 })).toMatchObject({
      verdict: "suspicious",
      reasons: ["user_over_100_per_minute"],
    });
  });

  it("never lets volume rules alone push a click to fraud", () => {
    const flood = { ...quiet, ipClicksInMinute: 1000, userClicksInMinute: 1000 };
    const score = scoreClick(click({ ip: "3.1.2.3", user_agent: "" }), flood);
    expect(score.risk).toBeLessThan(0.7);
    expect(score.verdict).toBe("suspicious");
    expect(score.reasons).toEqual([
      "data_centre_ip",
      "missing_user_agent",
      "ip_over_100_per_minute",
      "user_over_100_per_minute",
    ]);
  });

  it("adds risk for data-centre addresses and missing user agents", () => {
    expect(scoreClick(click({ ip: "34.120.1.1" }), quiet)).toMatchObject({
      risk: 0.35,
      verdict: "suspicious",
      reasons: ["data_centre_ip"],
    });
    expect(scoreClick(click({ user_agent: "  " }), quiet)).toMatchObject({
      risk: 0.3,
      verdict: "suspicious",
      reasons: ["missing_user_agent"],
    });
    const dc = new DataCentreMatcher(["198.51.100.0/24"]);
    expect(scoreClick(click(), quiet, { dataCentres: dc }).reasons).toEqual(["data_centre_ip"]);
  });

  it("combines a plugged-in model with the rules", () => {
    const model: ClickScorer = { name: "gbm-v1", score: (c) => (c.user_id === "bad" ? 0.9 : 0.05) };
    expect(scoreClick(click({ user_id: "bad" }), quiet, { model })).toMatchObject({
      risk: 0.9,
      verdict: "fraud",
      reasons: ["model:gbm-v1"],
    });
    expect(scoreClick(click(), quiet, { model })).toMatchObject({
      risk: 0.05,
      verdict: "clean",
      reasons: [],
    });
    const broken: ClickScorer = { name: "nan", score: () => Number.NaN };
    expect(scoreClick(click(), quiet, { model: broken }).risk).toBe(0);
  });

  it("is deterministic", () => {
    const c = click({ ip: "3.1.2.3" });
    const f = { ...quiet, userClicksInMinute: 150 };
    expect(scoreClick(c, f)).toEqual(scoreClick(c, f));
  });

  it("buckets minutes in UTC event time", () => {
    expect(minuteBucket(Date.UTC(2026, 0, 1, 0, 0, 59, 999))).toBe(
      minuteBucket(Date.UTC(2026, 0, 1, 0, 0, 0)),
    );
    expect(minuteBucket(Date.UTC(2026, 0, 1, 0, 1))).toBe(
      minuteBucket(Date.UTC(2026, 0, 1, 0, 0)) + 1,
    );
  });
});

describe("verdict provenance", () => {
  it("carries the versions of the rules, the lists and the model in every verdict", () => {
    const model: ClickScorer = { name: "v7", score: () => 0.1 };
    expect(scoreClick(click(), quiet).versions).toEqual({
      rules: RULES_VERSION,
      lists: `${DATA_CENTRE_RANGES.version}+${BOT_LIST_VERSION}`,
      model: null,
    });
    expect(scoreClick(click(), quiet, { model }).versions.model).toBe("v7");
    const dc = new DataCentreMatcher(["34.0.0.0/8"], "test-list");
    expect(
      scoreClick(click({ user_agent: "Googlebot/2.1" }), quiet, { dataCentres: dc }).versions.lists,
    ).toBe(`test-list+${BOT_LIST_VERSION}`);
  });

  it("classes list and standard-check reasons as GIVT and behaviour or model reasons as SIVT", () => {
    for (const r of [
      "declared_bot",
      "blocklist_ip",
      "data_centre_ip",
      "missing_user_agent",
      "ip_over_100_per_minute",
    ])
      expect(reasonClass(r)).toBe("GIVT");
    for (const r of ["model:v3", "many_user_agents_per_ip", "regular_intervals", "click_burst"])
      expect(reasonClass(r)).toBe("SIVT");
  });

  it("adds the model's behaviour reasons after its own when it flags a click", () => {
    const model: ClickScorer = {
      name: "v2",
      score: () => 0.9,
      explain: () => ["many_users_per_ip", "data_centre_ip"],
    };
    expect(scoreClick(click({ ip: "34.120.1.1" }), quiet, { model }).reasons).toEqual([
      "data_centre_ip",
      "model:v2",
      "many_users_per_ip",
    ]);
  });
});
