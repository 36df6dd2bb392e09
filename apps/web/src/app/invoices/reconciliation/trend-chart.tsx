"use client";

import {
  CartesianGrid,
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
    <div style={{ width: "100%", height: 260 }}>
      <ResponsiveContainer>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis />
          <Tooltip />
          <Line
            type="monotone"
            dataKey="liveClicks"
            name="Live clicks"
            stroke="#2563eb"
            dot={false}
          />
          <Line
            type="monotone"
            dataKey="billedClicks"
            name="Billed clicks"
            stroke="#16a34a"
            dot={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
