"use client";

import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

/** One day: `day` and, per campaign or partner, a share of its clicks in [0, 1]. */
export type RatePoint = { day: string } & Record<string, number | string>;

const COLOURS = ["#0b5fff", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#0a7ea4", "#57606a"];
const percent = (v: unknown) => `${(Number(v) * 100).toFixed(1)}%`;

/** Draws one line per key over the days; only props, no fetching. */
export function RatesChart(props: { title: string; data: RatePoint[]; keys: string[] }) {
  return (
    <section className="panel" aria-label={props.title} style={{ margin: 0 }}>
      <h2>{props.title}</h2>
      <div style={{ width: "100%", height: 280 }}>
        <ResponsiveContainer>
          <LineChart data={props.data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d0d7de" />
            <XAxis dataKey="day" tick={{ fontSize: 12 }} />
            <YAxis tickFormatter={percent} tick={{ fontSize: 12 }} width={56} />
            <Tooltip formatter={(v) => percent(v)} />
            <Legend />
            {props.keys.map((key, i) => (
              <Line
                key={key}
                type="monotone"
                dataKey={key}
                name={key}
                stroke={COLOURS[i % COLOURS.length]}
                strokeWidth={2}
                dot={{ r: 3 }}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
