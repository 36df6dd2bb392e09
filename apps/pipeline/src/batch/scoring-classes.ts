import {
  CLICKS_PER_MINUTE_LIMIT,
  type ClickFeatures,
  type ClickRecord,
  type ScoringContext,
  scoreClick,
  type Verdict,
} from "@adclick/shared";

/** Verdict codes stored in DuckDB. */
export const VERDICT_CODE = { clean: 0, suspicious: 1, fraud: 2 } as const;

const NO_FEATURES: ClickFeatures = {
  ipClicksInMinute: 1,
  userClicksInMinute: 1,
  isDuplicate: false,
};

/** A click whose only meaningful fields are the IP and the user agent. */
function probe(ip: string, userAgent: string): ClickRecord {
  return {
    event_id: "",
    partner_id: "",
    campaign_id: "",
    advertiser_id: "",
    ad_id: "",
    user_id: "",
    ip,
    user_agent: userAgent,
    ts: 0,
    received_at: 0,
    country: null,
    device: "other",
    publisher_id: null,
    referrer: null,
    cost_micros: 0,
  };
}

/**
 * Lets the batch score a whole day with `scoreClick` (the stream's code) a
 * handful of times instead of once per click.
 *
 * Without a model, `scoreClick` reads a click only through its IP and user
 * agent, and its features only through "more than CLICKS_PER_MINUTE_LIMIT" per
 * IP and per user. So every distinct IP gets a class — the reasons
 * `scoreClick` gives it with an empty user agent — and every distinct user
 * agent one — its reasons with a non-address IP (which no IP rule matches).
 * Clicks whose IPs share a class and whose user agents share a class are
 * scored alike, so the verdict of each (IP class, user-agent class, IP over the
 * limit, user over the limit) is `scoreClick` of one real IP and one real user
 * agent of those classes. `scoring-classes.test.ts` checks this against
 * `scoreClick` click by click.
 */
export class ScoringClasses {
  private readonly ipClassIds = new Map<string, number>();
  private readonly uaClassIds = new Map<string, number>();
  /** A real IP / user agent of each class, by class id. */
  private readonly ipExamples: string[] = [];
  private readonly uaExamples: string[] = [];

  constructor(private readonly ctx: ScoringContext) {
    if (ctx.model) {
      throw new Error(
        "scoring classes assume a rule-only scorer; a model needs per-click scoring (a UDF)",
      );
    }
  }

  /** The class id of an IP (0, 1, … in order of first appearance). */
  ipClass(ip: string): number {
    const s = scoreClick(probe(ip, ""), NO_FEATURES, this.ctx);
    return this.classOf(
      this.ipClassIds,
      this.ipExamples,
      `${s.verdict}:${s.reasons.join(",")}`,
      ip,
    );
  }

  /** The class id of a user agent. */
  uaClass(userAgent: string): number {
    const s = scoreClick(probe("", userAgent), NO_FEATURES, this.ctx);
    return this.classOf(
      this.uaClassIds,
      this.uaExamples,
      `${s.verdict}:${s.reasons.join(",")}`,
      userAgent,
    );
  }

  get ipClassCount(): number {
    return this.ipExamples.length;
  }

  get uaClassCount(): number {
    return this.uaExamples.length;
  }

  /** The verdict of every combination of the classes seen so far and the two volume flags. */
  verdicts(): Array<{
    ipClass: number;
    uaClass: number;
    ipOver: boolean;
    userOver: boolean;
    verdict: Verdict;
  }> {
    const out = [];
    for (const [ipClass, ip] of this.ipExamples.entries()) {
      for (const [uaClass, userAgent] of this.uaExamples.entries()) {
        for (const ipOver of [false, true]) {
          for (const userOver of [false, true]) {
            const features: ClickFeatures = {
              ipClicksInMinute: ipOver ? CLICKS_PER_MINUTE_LIMIT + 1 : 1,
              userClicksInMinute: userOver ? CLICKS_PER_MINUTE_LIMIT + 1 : 1,
              isDuplicate: false,
            };
            const { verdict } = scoreClick(probe(ip, userAgent), features, this.ctx);
            out.push({ ipClass, uaClass, ipOver, userOver, verdict });
          }
        }
      }
    }
    return out;
  }

  private classOf(ids: Map<string, number>, examples: string[], key: string, value: string) {
    let id = ids.get(key);
    if (id === undefined) {
      id = examples.length;
      ids.set(key, id);
      examples.push(value);
    }
    return id;
  }
}
