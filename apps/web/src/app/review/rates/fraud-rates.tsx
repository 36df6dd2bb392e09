"use client";

import { type FraudRatePoint, rateOf } from "@adclick/shared/review";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { Field } from "../field";
import { type RatePoint, RatesChart } from "./rates-chart";

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** One row per day, one column per campaign or partner, holding `measure`'s share of the clicks seen. */
function series(points: FraudRatePoint[], measure: "fraud" | "suspicious"): RatePoint[] {
  const byDay = new Map<string, RatePoint>();
  for (const p of points) {
    const row = byDay.get(p.day) ?? { day: p.day };
    row[p.key] = rateOf(p[measure], p.seen);
    byDay.set(p.day, row);
  }
  return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** Fetches the billed rates for the chosen days and grouping; draws fraud and suspicious apart. */
export function FraudRates() {
  const trpc = useTRPC();
  const [by, setBy] = useState<"campaign" | "partner">("campaign");
  const [from, setFrom] = useState(() => isoDay(Date.now() - 29 * DAY_MS));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const rates = useQuery(
    trpc.review.rates.queryOptions(
      { by, from, to },
      { enabled: valid, placeholderData: keepPreviousData, refetchInterval: 60_000 },
    ),
  );
  const points = rates.data ?? [];
  const keys = [...new Set(points.map((p) => p.key))].sort();

  return (
    <div>
      <div className="review-actions">
        <Field label="Per">
          <select
            name="by"
            value={by}
            onChange={(e) => setBy(e.target.value as "campaign" | "partner")}
          >
            <option value="campaign">Campaign</option>
            <option value="partner">Partner</option>
          </select>
        </Field>
        <Field label="From (UTC day)">
          <input
            type="date"
            name="from"
            value={from}
            max={to}
            onChange={(e) => setFrom(e.target.value)}
          />
        </Field>
        <Field label="To (UTC day)">
          <input
            type="date"
            name="to"
            value={to}
            min={from}
            onChange={(e) => setTo(e.target.value)}
          />
        </Field>
      </div>
      {!valid ? (
        <p className="state state-error" role="alert">
          Choose a first day on or before the last day.
        </p>
      ) : rates.isPending ? (
        <p className="state" role="status">
          Loading the rates…
        </p>
      ) : rates.isError ? (
        <p className="state state-error" role="alert">
          The rates could not be loaded: {rates.error.message}
        </p>
      ) : points.length === 0 ? (
        <p className="state">No billed days in this range yet.</p>
      ) : (
        <div className="rates-charts">
          <RatesChart title="Fraud rate" data={series(points, "fraud")} keys={keys} />
          <RatesChart title="Suspicious rate" data={series(points, "suspicious")} keys={keys} />
        </div>
      )}
    </div>
  );
}
