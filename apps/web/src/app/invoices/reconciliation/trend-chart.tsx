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

export interface TrendPoint {
  day: string;
  liveClicks: number;
  billedClicks: number;
}

/** Live against billed clicks per day, summed over campaigns. */
export function TrendChart({ points }: { points: TrendPoint[] }) {
  return (
    <figure
      aria-label="Live and billed clicks per day"
      style={{ width: "100%", height: 280, margin: "1rem 0" }}
    >
      <ResponsiveContainer>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis />
          <Tooltip />
          <Legend verticalAlign="top" height={28} />
          <Line
            type="monotone"
            dataKey="liveClicks"
            name="Live clicks"
            stroke="#2563eb"
            strokeWidth={2}
            dot={points.length < 3}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="billedClicks"
            name="Billed clicks"
            stroke="#16a34a"
            strokeWidth={2}
            dot={points.length < 3}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
