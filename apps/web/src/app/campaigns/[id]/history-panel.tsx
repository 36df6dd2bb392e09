"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { downloadCsv, toCsv } from "../csv";
import { formatCount, formatSpend } from "../format";

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function HistoryPanel({ campaignId }: { campaignId: string }) {
  const trpc = useTRPC();
  const [today] = useState(() => isoDay(Date.now()));
  const [from, setFrom] = useState(() => isoDay(Date.now() - 6 * DAY_MS));
  const [to, setTo] = useState(today);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from <= to;
  const history = useQuery(
    trpc.campaigns.dailyHistory.queryOptions(
      { id: campaignId, from, to },
      { enabled: valid, refetchInterval: 30_000, placeholderData: (previous) => previous },
    ),
  );
  const days = history.data?.days ?? [];
  const totals = days.reduce(
    (t, d) => ({
      clicks: t.clicks + d.clicks,
      costMicros: t.costMicros + d.costMicros,
      fraud: t.fraud + d.fraud,
    }),
    { clicks: 0, costMicros: 0, fraud: 0 },
  );
  const exportCsv = () =>
    downloadCsv(
      `${campaignId}-daily-${from}-to-${to}.csv`,
      toCsv(
        ["day_utc", "source", "clicks", "unique_users", "cost_micros", "spend", "fraud"],
        days.map((d) => [
          d.day,
          d.source,
          d.clicks,
          d.uniqueUsers,
          d.costMicros,
          (d.costMicros / 1_000_000).toFixed(2),
          d.fraud,
        ]),
      ),
    );

  return (
    <section className="panel" aria-labelledby="history-heading">
      <div className="panel-head">
        <div>
          <h2 id="history-heading">Daily history</h2>
          <p className="muted" style={{ margin: 0 }}>
            UTC days. Billed days come from the nightly billing; days not billed yet, and today,
            from the live counters.
          </p>
        </div>
        <div className="toolbar" style={{ margin: 0 }}>
          <label className="search">
            <span>From</span>
            <input
              type="date"
              name="from"
              value={from}
              max={to}
              onChange={(e) => setFrom(e.target.value)}
            />
          </label>
          <label className="search">
            <span>To</span>
            <input
              type="date"
              name="to"
              value={to}
              min={from}
              onChange={(e) => setTo(e.target.value)}
            />
          </label>
          <button
            type="button"
            className="button-secondary"
            onClick={exportCsv}
            disabled={days.length === 0}
          >
            Export CSV
          </button>
        </div>
      </div>
      {!valid ? (
        <p className="state state-error" role="alert">
          Choose a start day on or before the end day.
        </p>
      ) : history.isPending ? (
        <p className="state" role="status">
          Loading the daily history…
        </p>
      ) : history.isError ? (
        <p className="state state-error" role="alert">
          The daily history could not be loaded: {history.error.message}
        </p>
      ) : (
        <div className="table-scroll" style={{ marginTop: "1rem" }}>
          <table className="data-table" aria-label="Daily history">
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Source</th>
                <th scope="col" className="num">
                  Clicks
                </th>
                <th scope="col" className="num">
                  Unique users
                </th>
                <th scope="col" className="num">
                  Spend
                </th>
                <th scope="col" className="num">
                  Fraud
                </th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <td className="mono">{d.day}</td>
                  <td>
                    {d.source === "billed" ? (
                      <span className="badge">billed</span>
                    ) : (
                      <span className="badge badge-live">
                        {d.day === today ? "live · today" : "live"}
                      </span>
                    )}
                  </td>
                  <td className="num">{formatCount(d.clicks)}</td>
                  <td className="num">{formatCount(d.uniqueUsers)}</td>
                  <td className="num">{formatSpend(d.costMicros)}</td>
                  <td className="num">{formatCount(d.fraud)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Total
                </th>
                <td className="num">{formatCount(totals.clicks)}</td>
                <td className="num muted">—</td>
                <td className="num">{formatSpend(totals.costMicros)}</td>
                <td className="num">{formatCount(totals.fraud)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
    </section>
  );
}
