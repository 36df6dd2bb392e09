/**
 * Ground truth of a simulated run: what each campaign's counters must read.
 * Pure: feed it the events the ingest acknowledged (`add`) and read `toJSON`.
 *
 * Per campaign, per 5-minute window of event time (C3 `YYYYMMDDHHmm`) and per
 * dimension (C3 spelling), it records the distinct clicks (a retried event id
 * counts once), exact unique users, cost at the campaign's price, and the same
 * clicks split by the pattern each came from. The fraud rules decide verdicts;
 * tests turn `by_pattern` into expected clean / suspicious / fraud counts.
 * `events` lists every distinct event with its pattern for finer checks.
 */
import { dimensionsOf, windowKey, windowStartMs } from "@adclick/shared";
import { isFraudPattern } from "./fraud-actors";
import type { Pattern, SimEvent } from "./generate-traffic";

export interface TruthCell {
  clicks: number;
  unique_users: number;
  cost_micros: number;
  by_pattern: Partial<Record<Pattern, number>>;
}

export interface TruthFile {
  seed: number;
  generated_at: string;
  options: Record<string, unknown>;
  totals: {
    sent: number;
    distinct_events: number;
    retries: number;
    by_pattern: Partial<Record<Pattern, number>>;
    /** Distinct events whose true label is invalid traffic (see `isFraudPattern`). */
    fraud: number;
  };
  /** campaign_id -> window key -> dimension -> cell */
  windows: Record<string, Record<string, Record<string, TruthCell>>>;
  /**
   * [event_id, partner_id, campaign_id, ts, pattern, label] for every distinct
   * event; label 1 is invalid traffic, 0 valid (the click's true label).
   */
  events: Array<[string, string, string, number, Pattern, 0 | 1]>;
}

export class GroundTruth {
  private readonly seen = new Set<string>();
  private readonly cells = new Map<string, { cell: TruthCell; users: Set<string> }>();
  private readonly events: TruthFile["events"] = [];
  private sent = 0;
  private retries = 0;
  private fraud = 0;
  private readonly byPattern: Partial<Record<Pattern, number>> = {};

  constructor(
    private readonly seed: number,
    private readonly cpcByCampaign: ReadonlyMap<string, number>,
    private readonly options: Record<string, unknown> = {},
  ) {}

  /** Adds one acknowledged event (retries of a seen event id only count as sent). */
  add(event: SimEvent): void {
    this.sent++;
    const id = `${event.partnerId}\u0000${event.body.event_id}`;
    if (this.seen.has(id)) {
      this.retries++;
      return;
    }
    this.seen.add(id);
    const pattern =
      event.pattern === "retry-duplicate" ? (event.resends ?? "normal") : event.pattern;
    this.byPattern[pattern] = (this.byPattern[pattern] ?? 0) + 1;
    const b = event.body;
    const label = isFraudPattern(pattern) ? 1 : 0;
    this.fraud += label;
    this.events.push([b.event_id, event.partnerId, b.campaign_id, b.ts, pattern, label]);
    const window = windowKey(windowStartMs(b.ts));
    const cost = this.cpcByCampaign.get(b.campaign_id) ?? 0;
    for (const dimension of dimensionsOf({
      country: b.country,
      device: event.device,
      partner_id: event.partnerId,
    })) {
      const key = `${b.campaign_id}\u0000${window}\u0000${dimension}`;
      let entry = this.cells.get(key);
      if (!entry) {
        entry = {
          cell: { clicks: 0, unique_users: 0, cost_micros: 0, by_pattern: {} },
          users: new Set(),
        };
        this.cells.set(key, entry);
      }
      entry.cell.clicks++;
      entry.cell.cost_micros += cost;
      entry.cell.by_pattern[pattern] = (entry.cell.by_pattern[pattern] ?? 0) + 1;
      entry.users.add(b.user_id);
      entry.cell.unique_users = entry.users.size;
    }
  }

  toJSON(): TruthFile {
    const windows: TruthFile["windows"] = {};
    for (const [key, { cell }] of [...this.cells].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      const [campaign = "", window = "", dimension = ""] = key.split("\u0000");
      const byWindow = windows[campaign] ?? {};
      windows[campaign] = byWindow;
      const byDimension = byWindow[window] ?? {};
      byWindow[window] = byDimension;
      byDimension[dimension] = cell;
    }
    return {
      seed: this.seed,
      generated_at: new Date().toISOString(),
      options: this.options,
      totals: {
        sent: this.sent,
        distinct_events: this.seen.size,
        retries: this.retries,
        by_pattern: this.byPattern,
        fraud: this.fraud,
      },
      windows,
      events: this.events,
    };
  }
}
