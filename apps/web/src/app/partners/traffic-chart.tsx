"use client";

import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface TrafficPoint {
  minute: string;
  accepted: number;
  duplicate: number;
  rejected: number;
  throttled: number;
}

/** One partner's events and refused requests per minute (draws only; the container fetches). */
export function TrafficChart({ points }: { points: TrafficPoint[] }) {
  return (
    <div style={{ width: "100%", height: 200 }}>
      <ResponsiveContainer>
        <BarChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="minute" minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="accepted" name="Accepted" stackId="e" fill="#16a34a" />
          <Bar dataKey="duplicate" name="Duplicates" stackId="e" fill="#94a3b8" />
          <Bar dataKey="rejected" name="Rejected" stackId="e" fill="#dc2626" />
          <Bar dataKey="throttled" name="429 responses" fill="#f59e0b" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
