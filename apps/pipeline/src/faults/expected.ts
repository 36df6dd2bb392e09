/**
 * What the sinks must hold after a fault run, computed from the acknowledged
 * simulator events alone. Shares no code with the pipeline: windows, keys and
 * dimensions are spelled out here from C3/C5, verdicts come from the event's
 * simulator pattern (a declared crawler is fraud, C8) and from the set of
 * clicks the review queue holds (suspicious, counted).
 */

import { eventIdentity } from "../simulate/exactly-once";
import type { SimEvent } from "../simulate/generate-traffic";

export interface CounterCell {
  clicks: number;
  cost_micros: number;
  suspicious: number;
  fraud: number;
  unique_users: number;
}

export interface BillingCell {
  clicks: number;
  unique_users: number;
  cost_micros: number;
  fraud_clicks: number;
  suspicious_clicks: number;
}

export interface Expected {
  /** Distinct acknowledged events by identity (C1: partner_id + event_id). */
  events: Map<string, SimEvent>;
  /** C3 key -> counters, for 5-minute windows and day totals. */
  counters: Map<string, CounterCell>;
  /** `YYYY-MM-DD|campaign|dimension` -> billing row. */
  billing: Map<string, BillingCell>;
  /** UTC days the events fall on. */
  days: string[];
  /** Identities of the declared-crawler clicks (the fraud sink's content). */
  fraud: Set<string>;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** C3 window: the UTC start of the 5-minute window as YYYYMMDDHHmm. */
export function fiveMinuteWindow(tsMs: number): string {
  const d = new Date(Math.floor(tsMs / 300_000) * 300_000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

export function utcDay(tsMs: number): string {
  const d = new Date(tsMs);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function isFraud(e: SimEvent): boolean {
  return e.pattern === "crawler";
}

/**
 * @param acknowledged every event the ingest answered 202 for (retries included)
 * @param suspicious identities of the clicks the review queue holds
 */
export function expectedOutcome(
  acknowledged: readonly SimEvent[],
  cpcByCampaign: ReadonlyMap<string, number>,
  suspicious: ReadonlySet<string>,
): Expected {
  // A retry carries the original's body but not its pattern, and may be acknowledged first
  // (the original stuck behind a fault): the original speaks for the event.
  const events = new Map<string, SimEvent>();
  for (const e of acknowledged) {
    const id = eventIdentity(e.partnerId, e.body.event_id);
    const seen = events.get(id);
    if (!seen || (seen.pattern === "retry-duplicate" && e.pattern !== "retry-duplicate"))
      events.set(id, e);
  }
  const counters = new Map<string, CounterCell & { users: Set<string> }>();
  const billing = new Map<string, BillingCell & { users: Set<string> }>();
  const fraud = new Set<string>();
  const days = new Set<string>();
  for (const [id, e] of events) {
    const b = e.body;
    const cpc = cpcByCampaign.get(b.campaign_id);
    if (cpc === undefined) throw new Error(`no price for campaign ${b.campaign_id}`);
    const day = utcDay(b.ts);
    days.add(day);
    const dropped = isFraud(e);
    if (dropped) fraud.add(id);
    const flagged = !dropped && suspicious.has(id);
    const dimensions = [
      "all",
      `country:${b.country}`,
      `device:${e.device}`,
      `partner:${e.partnerId}`,
    ];
    for (const dimension of dimensions) {
      for (const window of [fiveMinuteWindow(b.ts), day.replaceAll("-", "")]) {
        const key = `counter:{${b.campaign_id}}:${window}:${dimension}`;
        const cell = counters.get(key) ?? {
          clicks: 0,
          cost_micros: 0,
          suspicious: 0,
          fraud: 0,
          unique_users: 0,
          users: new Set<string>(),
        };
        counters.set(key, cell);
        if (dropped) cell.fraud++;
        else {
          cell.clicks++;
          cell.cost_micros += cpc;
          if (flagged) cell.suspicious++;
          cell.users.add(b.user_id);
        }
      }
      const rowKey = `${day}|${b.campaign_id}|${dimension}`;
      const row = billing.get(rowKey) ?? {
        clicks: 0,
        unique_users: 0,
        cost_micros: 0,
        fraud_clicks: 0,
        suspicious_clicks: 0,
        users: new Set<string>(),
      };
      billing.set(rowKey, row);
      if (dropped) row.fraud_clicks++;
      else {
        row.clicks++;
        row.cost_micros += cpc;
        if (flagged) row.suspicious_clicks++;
        row.users.add(b.user_id);
      }
    }
  }
  const strip = <T extends { users: Set<string>; unique_users: number }>(cell: T) => {
    const { users, ...rest } = cell;
    return { ...rest, unique_users: users.size };
  };
  return {
    events,
    counters: new Map([...counters].map(([k, v]) => [k, strip(v)])),
    billing: new Map([...billing].map(([k, v]) => [k, strip(v)])),
    days: [...days].sort(),
    fraud,
  };
}
