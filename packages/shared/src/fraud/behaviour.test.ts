import { describe, expect, it } from "vitest";
import { BehaviourTracker, coefficientOfVariation, HISTORY } from "./behaviour";
import { DataCentreMatcher } from "./data-centres";
import { FEATURE_NAMES, featureVector, namedFeatures } from "./feature-vector";
import { LogisticModel } from "./logistic-model";
import { ModelScorer } from "./model-scorer";
import { scoreClick } from "./score";
import { userAgentSanity } from "./user-agent";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const at = (
  ts: number,
  over: Partial<{
    ip: string | null;
    user_id: string;
    user_agent: string;
    campaign_id: string;
  }> = {},
) => ({
  ip: "81.2.3.4",
  user_id: "u1",
  user_agent: CHROME,
  campaign_id: "c1",
  ts,
  ...over,
});

describe("BehaviourTracker", () => {
  it("counts a user's and an IP's clicks in the last minute and the gap since the previous click", () => {
    const t = new BehaviourTracker();
    expect(t.observe(at(0))).toMatchObject({
      ipClicksPerMinute: 1,
      userClicksPerMinute: 1,
      secondsSinceUserPrevious: null,
      userGapCv: null,
    });
    t.observe(at(10_000));
    const f = t.observe(at(30_000));
    expect(f.userClicksPerMinute).toBe(3);
    expect(f.secondsSinceUserPrevious).toBe(20);
    // 61 s later the first two have left the minute.
    expect(t.observe(at(71_000)).userClicksPerMinute).toBe(2);
  });

  it("counts distinct campaigns, user agents and users per IP over ten minutes", () => {
    const t = new BehaviourTracker();
    for (let i = 0; i < 5; i++)
      t.observe(
        at(i * 1000, { user_id: `w${i}`, campaign_id: `c${i % 2}`, user_agent: `${CHROME} v${i}` }),
      );
    const f = t.observe(at(6000, { user_id: "w0" }));
    expect(f).toMatchObject({
      ipDistinctUsers: 5,
      ipDistinctCampaigns: 2,
      ipDistinctUserAgents: 6,
    });
    // Eleven minutes on, only the click itself is within the span.
    expect(t.observe(at(6000 + 11 * 60_000)).ipDistinctUsers).toBe(1);
  });

  it("tells clockwork from a human by the spread of the gaps, and bursts by short gaps", () => {
    const bot = new BehaviourTracker();
    let f = bot.observe(at(0));
    for (let i = 1; i <= 6; i++) f = bot.observe(at(i * 30_000 + (i % 2) * 300));
    expect(f.userGapCv!).toBeLessThan(0.05);
    const human = new BehaviourTracker();
    for (const ts of [0, 4_000, 60_000, 65_000, 200_000, 203_000]) f = human.observe(at(ts));
    expect(f.userGapCv!).toBeGreaterThan(0.8);
    const spam = new BehaviourTracker();
    for (let i = 0; i < 8; i++) f = spam.observe(at(i * 300));
    expect(f.userShortGapShare).toBe(1);
    expect(coefficientOfVariation([1, 1])).toBeNull();
    expect(coefficientOfVariation([0, 0, 0])).toBe(0);
  });

  it("keeps bounded state: a few history entries per key, the least recently seen keys forgotten", () => {
    const t = new BehaviourTracker(3);
    for (let i = 0; i < HISTORY + 50; i++) t.observe(at(i));
    expect(t.observe(at(HISTORY + 50)).ipClicksPerMinute).toBe(HISTORY);
    for (const u of ["a", "b", "c", "d"])
      t.observe(at(1e6, { user_id: u, ip: `9.9.9.${u.charCodeAt(0)}` }));
    expect(t.size).toEqual({ ips: 3, users: 3 });
    expect(t.observe(at(2e6, { user_id: "a" })).secondsSinceUserPrevious).toBeNull();
  });

  it("ignores a click without an IP for the IP features", () => {
    expect(new BehaviourTracker().observe(at(0, { ip: null }))).toMatchObject({
      ipClicksPerMinute: 0,
      ipDistinctUsers: 0,
    });
  });
});

describe("userAgentSanity", () => {
  it("passes current browsers and flags missing, truncated, engine-less or ancient ones", () => {
    expect(userAgentSanity(CHROME)).toBe("ok");
    expect(userAgentSanity(null)).toBe("missing");
    expect(userAgentSanity("  ")).toBe("missing");
    expect(userAgentSanity("Mozilla/5.0")).toBe("malformed");
    expect(userAgentSanity("Opera/9.80 (Windows NT 6.0) Presto/2.12.388 Version/12.14")).toBe(
      "malformed",
    );
    expect(
      userAgentSanity(
        "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36",
      ),
    ).toBe("malformed");
    expect(userAgentSanity("Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)")).toBe("malformed");
  });
});

describe("featureVector and the logistic model", () => {
  const ctx = {
    dataCentres: new DataCentreMatcher(["34.64.0.0/10"]),
    ipCountry: (ip: string) => (ip.startsWith("81.") ? "GB" : null),
  };
  const click = { ip: "81.2.3.4", user_agent: CHROME, country: "US" };

  it("computes every feature by name", () => {
    const b = new BehaviourTracker().observe(at(0));
    const v = namedFeatures(featureVector(click, b, ctx));
    expect(Object.keys(v)).toEqual([...FEATURE_NAMES]);
    expect(v).toMatchObject({
      declared_bot: 0,
      data_centre_ip: 0,
      first_click_of_user: 1,
      country_ip_mismatch: 1,
      log_ip_clicks_per_minute: Math.round(Math.LN2 * 1e4) / 1e4,
    });
    expect(
      namedFeatures(featureVector({ ...click, country: "GB", ip: "34.64.1.1" }, b, ctx)),
    ).toMatchObject({ country_ip_mismatch: 0, data_centre_ip: 1 });
    expect(
      namedFeatures(featureVector({ ...click, user_agent: "Googlebot/2.1" }, b, ctx)),
    ).toMatchObject({ declared_bot: 1, user_agent_malformed: 0 });
  });

  it("scores as sigmoid(w·x + b), names the reasons that pushed it up, and refuses another feature list", () => {
    const weights = FEATURE_NAMES.map((n) => (n === "log_ip_distinct_users" ? 2 : 0));
    const model = new LogisticModel(4, {
      kind: "logistic_regression",
      features: [...FEATURE_NAMES],
      weights,
      intercept: -3,
    });
    const x = FEATURE_NAMES.map((n) => (n === "log_ip_distinct_users" ? Math.log1p(20) : 0));
    expect(model.probability(x)).toBeCloseTo(1 / (1 + Math.exp(-(2 * Math.log1p(20) - 3))), 12);
    expect(model.reasons(x)).toEqual(["many_users_per_ip"]);
    expect(
      () =>
        new LogisticModel(5, {
          kind: "logistic_regression",
          features: ["x"],
          weights: [1],
          intercept: 0,
        }),
    ).toThrow("train a new model");

    const t = new BehaviourTracker();
    let last = t.observe(at(0));
    for (let i = 0; i < 30; i++) last = t.observe(at(i * 1000, { user_id: `w${i}` }));
    const scorer = new ModelScorer(model, ctx);
    const c = {
      event_id: "e",
      partner_id: "p",
      campaign_id: "c1",
      advertiser_id: "a",
      ad_id: "ad",
      user_id: "w29",
      ip: "81.2.3.4",
      user_agent: CHROME,
      ts: 29_000,
      received_at: 29_000,
      country: "GB",
      device: "desktop" as const,
      publisher_id: null,
      referrer: null,
      cost_micros: 1,
    };
    const s = scoreClick(
      c,
      { ipClicksInMinute: 1, userClicksInMinute: 1, behaviour: last },
      { model: scorer, dataCentres: ctx.dataCentres },
    );
    expect(s.verdict).toBe("fraud");
    expect(s.reasons).toEqual(["model:v4", "many_users_per_ip"]);
    expect(s.versions.model).toBe("v4");
    expect(
      scoreClick(c, { ipClicksInMinute: 1, userClicksInMinute: 1 }, { model: scorer }).verdict,
    ).toBe("clean");
  });
});
