"use client";

import type { LiveSeries } from "@adclick/shared/live-counters";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import {
  Area,
  AreaChart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { useTRPC } from "../../../trpc/react";
import { downloadCsv, toCsv } from "../csv";
import {
  formatCount,
  formatLocalDateTime,
  formatLocalTime,
  formatSpend,
  formatUtc,
} from "../format";
import { LocalTime } from "./local-time";
import { useMounted } from "./use-mounted";

type Metric = "clicks" | "uniqueUsers" | "costMicros";

const METRICS: Array<{ key: Metric; label: string }> = [
  { key: "clicks", label: "Clicks" },
  { key: "uniqueUsers", label: "Unique users" },
  { key: "costMicros", label: "Spend" },
];

/** How often the chart asks for new counts: within the 5 s the dashboard promises. */
export const LIVE_REFETCH_MS = 4_000;

interface ChartPoint {
  t: number;
  value: number;
  open: boolean;
  /** The value on the solid (final) line, null where the window is open. */
  final: number | null;
  /** The value on the dashed (provisional) line; also set on the last final window, to join the two. */
  provisional: number | null;
}

function chartPoints(series: LiveSeries, metric: Metric): ChartPoint[] {
  const scale = metric === "costMicros" ? 1 / 1_000_000 : 1;
  const w = series.windows;
  return w.map((p, i) => {
    const value = p[metric] * scale;
    const joinsOpen = !p.open && w[i + 1]?.open === true;
    return {
      t: p.windowStartMs,
      value,
      open: p.open,
      final: p.open ? null : value,
      provisional: p.open || joinsOpen ? value : null,
    };
  });
}

function formatValue(metric: Metric, value: number): string {
  return metric === "costMicros" ? formatSpend(Math.round(value * 1_000_000)) : formatCount(value);
}

function ChartTooltip({
  active,
  payload,
  metric,
}: {
  active?: boolean;
  payload?: ReadonlyArray<{ payload?: unknown }>;
  metric: Metric;
}) {
  const point = payload?.[0]?.payload as ChartPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="chart-tooltip">
      <p>
        <strong>{formatLocalDateTime(point.t)}</strong> – {formatLocalTime(point.t + 5 * 60_000)}
      </p>
      <p className="muted">{formatUtc(point.t)}</p>
      <p>
        {METRICS.find((m) => m.key === metric)!.label}:{" "}
        <strong>{formatValue(metric, point.value)}</strong>
        {point.open ? " (provisional: window still open)" : ""}
      </p>
    </div>
  );
}

export function LiveChart({ campaignId }: { campaignId: string }) {
  const trpc = useTRPC();
  const [metric, setMetric] = useState<Metric>("clicks");
  const series = useQuery(
    trpc.campaigns.liveSeries.queryOptions(
      { id: campaignId },
      { refetchInterval: LIVE_REFETCH_MS, refetchIntervalInBackground: false, staleTime: 0 },
    ),
  );
  const mounted = useMounted();
  const points = useMemo(
    () => (series.data ? chartPoints(series.data, metric) : []),
    [series.data, metric],
  );

  if (series.isPending)
    return (
      <div className="panel">
        <p className="state" role="status">
          Loading the last 24 hours…
        </p>
      </div>
    );
  if (series.isError)
    return (
      <div className="panel state state-error" role="alert">
        <p>The live counts could not be loaded: {series.error.message}</p>
        <button type="button" className="button" onClick={() => series.refetch()}>
          Try again
        </button>
      </div>
    );

  const windows = series.data.windows;
  const total = (key: Metric) => windows.reduce((sum, w) => sum + w[key], 0);
  const current = windows.at(-1)!;
  const exportCsv = () =>
    downloadCsv(
      `${campaignId}-last-24h.csv`,
      toCsv(
        [
          "window_start_utc",
          "window_start_local",
          "clicks",
          "unique_users",
          "cost_micros",
          "spend",
          "provisional",
        ],
        windows.map((w) => [
          new Date(w.windowStartMs).toISOString(),
          formatLocalDateTime(w.windowStartMs),
          w.clicks,
          w.uniqueUsers,
          w.costMicros,
          (w.costMicros / 1_000_000).toFixed(2),
          w.open,
        ]),
      ),
    );

  return (
    <section className="panel" aria-labelledby="live-heading">
      <div className="panel-head">
        <div>
          <h2 id="live-heading">Last 24 hours</h2>
          <p className="muted" style={{ margin: 0 }}>
            5-minute windows in your time zone; hover a point for its UTC time. Counted up to{" "}
            {series.data.watermarkMs === null ? "—" : <LocalTime ms={series.data.watermarkMs} />}.
          </p>
        </div>
        <div className="panel-head">
          <fieldset className="segmented">
            <legend className="sr-only">Metric</legend>
            {METRICS.map((m) => (
              <button
                key={m.key}
                type="button"
                aria-pressed={metric === m.key}
                onClick={() => setMetric(m.key)}
              >
                {m.label}
              </button>
            ))}
          </fieldset>
          <button type="button" className="button-secondary" onClick={exportCsv}>
            Export CSV
          </button>
        </div>
      </div>
      <div className="stats">
        <div className="stat">
          <div className="stat-label">Clicks, 24 h</div>
          <div className="stat-value" data-testid="clicks-24h">
            {formatCount(total("clicks"))}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Spend, 24 h</div>
          <div className="stat-value" data-testid="spend-24h">
            {formatSpend(total("costMicros"))}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Clicks, current window</div>
          <div className="stat-value" data-testid="clicks-current">
            {formatCount(current.clicks)}
          </div>
        </div>
        <div className="stat">
          <div className="stat-label">Unique users, current window</div>
          <div className="stat-value">{formatCount(current.uniqueUsers)}</div>
        </div>
      </div>
      <div style={{ width: "100%", height: 300 }} data-testid="live-chart">
        {mounted ? (
          <ResponsiveContainer>
            <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e5e9ee" />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={["dataMin", "dataMax"]}
                tickFormatter={(t: number) => formatLocalTime(t)}
                minTickGap={40}
                tick={{ fontSize: 12 }}
              />
              <YAxis
                allowDecimals={metric === "costMicros"}
                width={64}
                tick={{ fontSize: 12 }}
                tickFormatter={(v: number) => (metric === "costMicros" ? `$${v}` : formatCount(v))}
              />
              <Tooltip content={(props) => <ChartTooltip {...props} metric={metric} />} />
              <Area
                type="linear"
                dataKey="final"
                name="Final"
                stroke="#0b5fff"
                strokeWidth={2}
                fill="#0b5fff"
                fillOpacity={0.12}
                connectNulls={false}
                isAnimationActive={false}
              />
              <Area
                type="linear"
                dataKey="provisional"
                name="Provisional"
                stroke="#8fb3ff"
                strokeWidth={2}
                strokeDasharray="5 4"
                fill="#8fb3ff"
                fillOpacity={0.08}
                connectNulls={false}
                isAnimationActive={false}
              />
            </AreaChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <ul className="chart-legend" aria-label="Legend">
        <li>
          <span className="legend-swatch" data-kind="final" />
          Final: the aggregator has counted past the window
        </li>
        <li>
          <span className="legend-swatch" data-kind="open" />
          Provisional: the window is still open and may grow
        </li>
      </ul>
    </section>
  );
}
