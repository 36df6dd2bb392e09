/**
 * Test support: the live counters (C3), flagged and fraud sets that a stream
 * of simulated clicks must produce, written out by hand from the contracts
 * (C1, C3, C8 and the duplicate and flood rules of apps/pipeline/README.md).
 * It shares no code with the aggregator: keys, windows, verdicts and
 * dimensions are spelled here again, and a click's verdict follows from the
 * simulator pattern it came from, not from the scoring code.
 */
import type { ClickRecord } from "@adclick/shared";
import { toClickRecord } from "../simulate/click-records";
import type { Pattern, SimCampaign, SimEvent } from "../simulate/generate-traffic";

export interface ExpectedCounter {
  clicks: number;
  cost_micros: number;
  suspicious: number;
  fraud: number;
  unique_users: number;
}

export interface StreamExpectation {
  /** Counter key → fields (unique_users exact; Redis holds a HyperLogLog estimate). */
  counters: Map<string, ExpectedCounter>;
  /** Event ids (partner/event) of the suspicious clicks, for clicks.flagged. */
  flagged: Set<string>;
  /** Event ids (partner/event) of the fraud clicks, for the fraud topic. */
  fraud: Set<string>;
  /** Redeliveries of an idempotency pair already seen: counted nowhere. */
  duplicates: number;
}

/** A simulated stream as records in Kafka order, with each click's pattern. */
export interface SimulatedStream {
  clicks: ClickRecord[];
  patterns: Pattern[];
}

export function streamFromEvents(
  events: Iterable<SimEvent>,
  campaigns: readonly SimCampaign[],
  receivedAtMs: number,
): SimulatedStream {
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const clicks: ClickRecord[] = [];
  const patterns: Pattern[] = [];
  for (const e of events) {
    clicks.push(toClickRecord(e, byId, receivedAtMs));
    patterns.push(e.pattern);
  }
  return { clicks, patterns };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
function utcParts(ms: number) {
  const d = new Date(ms);
  return {
    day: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`,
    hour: pad(d.getUTCHours()),
    fiveMinutes: pad(d.getUTCMinutes() - (d.getUTCMinutes() % 5)),
  };
}

/**
 * `blocklistedIps`: the IPs the test put on the blocklist. Clicks are taken in
 * their order in Kafka (a campaign's clicks are in one partition; the flood goes
 * to one campaign, so arrival order within a minute is this order).
 */
export function expectStream(
  stream: SimulatedStream,
  blocklistedIps: ReadonlySet<string>,
): StreamExpectation {
  const seen = new Set<string>();
  const perMinute = new Map<string, number>();
  const counters = new Map<string, ExpectedCounter & { users: Set<string> }>();
  const flagged = new Set<string>();
  const fraud = new Set<string>();
  let duplicates = 0;
  stream.clicks.forEach((c, i) => {
    const pair = `${c.partner_id}/${c.event_id}`;
    if (seen.has(pair)) {
      duplicates++;
      return;
    }
    seen.add(pair);
    const minute = Math.floor(c.ts / 60_000);
    const ipCount = (perMinute.get(`ip ${minute} ${c.ip}`) ?? 0) + 1;
    const userCount = (perMinute.get(`user ${minute} ${c.user_id}`) ?? 0) + 1;
    perMinute.set(`ip ${minute} ${c.ip}`, ipCount);
    perMinute.set(`user ${minute} ${c.user_id}`, userCount);

    const pattern = stream.patterns[i]!;
    let verdict: "clean" | "suspicious" | "fraud" = "clean";
    if (pattern === "crawler" || blocklistedIps.has(c.ip)) verdict = "fraud";
    else if (pattern === "data-centre" || ipCount > 100 || userCount > 100) verdict = "suspicious";
    if (verdict === "fraud") fraud.add(pair);
    if (verdict === "suspicious") flagged.add(pair);

    const { day, hour, fiveMinutes } = utcParts(c.ts);
    const dims = ["all", `device:${c.device}`, `partner:${c.partner_id}`];
    if (c.country) dims.push(`country:${c.country}`);
    for (const period of [`${day}${hour}${fiveMinutes}`, day]) {
      for (const dim of dims) {
        const key = `counter:{${c.campaign_id}}:${period}:${dim}`;
        let e = counters.get(key);
        if (!e) {
          e = {
            clicks: 0,
            cost_micros: 0,
            suspicious: 0,
            fraud: 0,
            unique_users: 0,
            users: new Set(),
          };
          counters.set(key, e);
        }
        if (verdict === "fraud") e.fraud++;
        else {
          e.clicks++;
          e.cost_micros += c.cost_micros;
          e.users.add(c.user_id);
          e.unique_users = e.users.size;
          if (verdict === "suspicious") e.suspicious++;
        }
      }
    }
  });
  const out = new Map<string, ExpectedCounter>();
  for (const [key, { users: _users, ...fields }] of counters) out.set(key, fields);
  return { counters: out, flagged, fraud, duplicates };
}
