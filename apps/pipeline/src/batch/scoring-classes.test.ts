import {
  BlocklistMatcher,
  CLICKS_PER_MINUTE_LIMIT,
  type ClickRecord,
  scoreClick,
} from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { ScoringClasses } from "./scoring-classes";

const IPS = [
  "10.0.0.1",
  "10.0.0.2",
  "198.51.100.66", // blocklisted IP
  "203.0.113.7", // blocklisted CIDR
  "3.5.6.7", // data centre (AWS)
  "35.190.1.1", // data centre (Google)
  "::ffff:198.51.100.66", // mapped form of a blocklisted IP
  "2001:db8::1",
  "not-an-ip",
];
const AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "curl/8.4.0",
  "python-requests/2.31",
  "EvilBot/1.0 (blocklisted)",
  "",
  "   ",
];
const COUNTS = [1, CLICKS_PER_MINUTE_LIMIT, CLICKS_PER_MINUTE_LIMIT + 1, 5000];

describe("ScoringClasses", () => {
  it("gives every click the verdict scoreClick gives it", () => {
    const blocklist = new BlocklistMatcher([
      { kind: "ip", value: "198.51.100.66" },
      { kind: "cidr", value: "203.0.113.0/24" },
      { kind: "user_agent", value: "EvilBot/" },
    ]);
    const ctx = { blocklist };
    const classes = new ScoringClasses(ctx);
    const ipClass = new Map(IPS.map((ip) => [ip, classes.ipClass(ip)]));
    const uaClass = new Map(AGENTS.map((ua) => [ua, classes.uaClass(ua)]));
    const verdicts = new Map(
      classes
        .verdicts()
        .map((v) => [`${v.ipClass}/${v.uaClass}/${v.ipOver}/${v.userOver}`, v.verdict]),
    );
    let compared = 0;
    for (const ip of IPS) {
      for (const userAgent of AGENTS) {
        for (const ipCount of COUNTS) {
          for (const userCount of COUNTS) {
            const click: ClickRecord = {
              event_id: `e${compared}`,
              partner_id: "p",
              campaign_id: "c",
              advertiser_id: "a",
              ad_id: "ad",
              user_id: "u",
              ip,
              user_agent: userAgent,
              ts: 1_700_000_000_000 + compared,
              received_at: 1_700_000_000_500,
              country: compared % 2 ? "US" : null,
              device: "mobile",
              publisher_id: null,
              referrer: null,
              cost_micros: 250_000,
            };
            const expected = scoreClick(
              click,
              { ipClicksInMinute: ipCount, userClicksInMinute: userCount, isDuplicate: false },
              ctx,
            ).verdict;
            const key = `${ipClass.get(ip)}/${uaClass.get(userAgent)}/${ipCount > CLICKS_PER_MINUTE_LIMIT}/${userCount > CLICKS_PER_MINUTE_LIMIT}`;
            expect(verdicts.get(key), `${ip} ${userAgent} ${ipCount} ${userCount}`).toBe(expected);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(IPS.length * AGENTS.length * COUNTS.length ** 2);
    // Few classes however many IPs and agents.
    expect(classes.ipClassCount).toBeLessThanOrEqual(5);
  });

  it("refuses a model, which reads more of the click than its IP and user agent", () => {
    expect(() => new ScoringClasses({ model: { name: "m", score: () => 0.5 } })).toThrow(
      /per-click/,
    );
  });
});
