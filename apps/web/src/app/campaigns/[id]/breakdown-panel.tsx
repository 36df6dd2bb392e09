"use client";

import type { BreakdownKind, BreakdownRow } from "@adclick/shared/live-counters";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "../../../trpc/react";
import { downloadCsv, toCsv } from "../csv";
import { formatCount, formatSpend } from "../format";
import { SortHeader } from "../sort-header";
import { useSorted } from "../sortable";
import { LIVE_REFETCH_MS } from "./live-chart";
import { useMounted } from "./use-mounted";

const KINDS: Array<{ key: BreakdownKind; label: string; column: string }> = [
  { key: "country", label: "Country", column: "Country" },
  { key: "device", label: "Device", column: "Device" },
  { key: "partner", label: "Partner", column: "Partner id" },
];

type Column = "label" | "clicks" | "uniqueUsers" | "costMicros" | "fraud";
type Row = BreakdownRow & { label: string };

const countryNames =
  typeof Intl.DisplayNames === "function"
    ? new Intl.DisplayNames(["en"], { type: "region" })
    : null;

function labelOf(kind: BreakdownKind, value: string): string {
  if (kind !== "country") return value;
  let name: string | undefined;
  try {
    name = countryNames?.of(value);
  } catch {
    name = undefined;
  }
  return name && name !== value ? `${name} (${value})` : value;
}

/** Bars for at most this many values; the table lists them all. */
const MAX_BARS = 12;

export function BreakdownPanel({ campaignId }: { campaignId: string }) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<BreakdownKind>("country");
  const data = useQuery(
    trpc.campaigns.breakdown.queryOptions(
      { id: campaignId },
      { refetchInterval: LIVE_REFETCH_MS, staleTime: 0 },
    ),
  );
  const mounted = useMounted();
  const rows: Row[] = useMemo(
    () => (data.data?.breakdown[kind] ?? []).map((r) => ({ ...r, label: labelOf(kind, r.value) })),
    [data.data, kind],
  );
  const { sorted, toggle, ariaSort } = useSorted<Row, Column>(rows, {
    key: "clicks",
    direction: "desc",
  });
  const kindInfo = KINDS.find((k) => k.key === kind)!;

  const exportCsv = () =>
    downloadCsv(
      `${campaignId}-today-by-${kind}.csv`,
      toCsv(
        [kind, "clicks", "unique_users", "cost_micros", "spend", "fraud"],
        sorted.map((r) => [
          r.value,
          r.clicks,
          r.uniqueUsers,
          r.costMicros,
          (r.costMicros / 1_000_000).toFixed(2),
          r.fraud,
        ]),
      ),
    );

  return (
    <section className="panel" aria-labelledby="breakdown-heading">
      <div className="panel-head">
        <div>
          <h2 id="breakdown-heading">Today by {kindInfo.label.toLowerCase()}</h2>
          <p className="muted" style={{ margin: 0 }}>
            The live UTC day; click a column to sort the table and the bars.
          </p>
        </div>
        <div className="panel-head">
          <fieldset className="segmented">
            <legend className="sr-only">Breakdown</legend>
            {KINDS.map((k) => (
              <button
                key={k.key}
                type="button"
                aria-pressed={kind === k.key}
                onClick={() => setKind(k.key)}
              >
                {k.label}
              </button>
            ))}
          </fieldset>
          <button
            type="button"
            className="button-secondary"
            onClick={exportCsv}
            disabled={rows.length === 0}
          >
            Export CSV
          </button>
        </div>
      </div>
      {data.isPending ? (
        <p className="state" role="status">
          Loading the breakdown…
        </p>
      ) : data.isError ? (
        <p className="state state-error" role="alert">
          The breakdown could not be loaded: {data.error.message}
        </p>
      ) : rows.length === 0 ? (
        <p className="state">No clicks today yet.</p>
      ) : (
        <div className="breakdown-grid">
          <div className="table-scroll">
            <table className="data-table" aria-label={`Today by ${kindInfo.label.toLowerCase()}`}>
              <thead>
                <tr>
                  <SortHeader
                    label={kindInfo.column}
                    ariaSort={ariaSort("label")}
                    onSort={() => toggle("label")}
                  />
                  <SortHeader
                    label="Clicks"
                    numeric
                    ariaSort={ariaSort("clicks")}
                    onSort={() => toggle("clicks")}
                  />
                  <SortHeader
                    label="Unique users"
                    numeric
                    ariaSort={ariaSort("uniqueUsers")}
                    onSort={() => toggle("uniqueUsers")}
                  />
                  <SortHeader
                    label="Spend"
                    numeric
                    ariaSort={ariaSort("costMicros")}
                    onSort={() => toggle("costMicros")}
                  />
                  <SortHeader
                    label="Fraud"
                    numeric
                    ariaSort={ariaSort("fraud")}
                    onSort={() => toggle("fraud")}
                  />
                </tr>
              </thead>
              <tbody>
                {sorted.map((r) => (
                  <tr key={r.value}>
                    <td>{r.label}</td>
                    <td className="num">{formatCount(r.clicks)}</td>
                    <td className="num">{formatCount(r.uniqueUsers)}</td>
                    <td className="num">{formatSpend(r.costMicros)}</td>
                    <td className="num">{formatCount(r.fraud)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div
            style={{
              width: "100%",
              height: Math.max(160, Math.min(sorted.length, MAX_BARS) * 34 + 40),
            }}
          >
            {mounted ? (
              <ResponsiveContainer>
                <BarChart
                  data={sorted.slice(0, MAX_BARS)}
                  layout="vertical"
                  margin={{ top: 4, right: 24, bottom: 4, left: 8 }}
                >
                  <CartesianGrid strokeDasharray="3 3" stroke="#e5e9ee" horizontal={false} />
                  <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
                  <YAxis
                    type="category"
                    dataKey="value"
                    width={kind === "partner" ? 120 : 72}
                    tick={{ fontSize: 12 }}
                  />
                  <Tooltip
                    formatter={(v) => [formatCount(Number(v)), "Clicks"]}
                    labelFormatter={(value) => labelOf(kind, String(value))}
                  />
                  <Bar dataKey="clicks" name="Clicks" fill="#0b5fff" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            ) : null}
          </div>
        </div>
      )}
    </section>
  );
}
