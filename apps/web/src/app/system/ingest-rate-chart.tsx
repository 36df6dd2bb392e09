"use client";

import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

export interface IngestRatePoint {
  minute: string;
  accepted: number;
  rejected: number;
  throttled: number;
}

/** Events per minute over every partner (draws only). */
export function IngestRateChart({ points }: { points: IngestRatePoint[] }) {
  return (
    <div style={{ width: "100%", height: 220 }}>
      <ResponsiveContainer>
        <AreaChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="minute" minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Area dataKey="accepted" name="Events received" stroke="#16a34a" fill="#bbf7d0" />
          <Area dataKey="rejected" name="Rejected" stroke="#dc2626" fill="#fecaca" />
          <Area dataKey="throttled" name="429 responses" stroke="#f59e0b" fill="#fde68a" />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
