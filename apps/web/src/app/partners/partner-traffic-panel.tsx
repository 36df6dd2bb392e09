"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/react";
import { TrafficChart } from "./traffic-chart";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** Each partner's last hour of ingest traffic, refreshed every 10 s, with the rejection reasons. */
export function PartnerTrafficPanel({ partnerId }: { partnerId: string }) {
  const trpc = useTRPC();
  const traffic = useQuery(
    trpc.partners.traffic.queryOptions(
      { minutes: 60 },
      { refetchInterval: 10_000, placeholderData: keepPreviousData },
    ),
  );
  if (traffic.isError) return <p className="error">Traffic unavailable: {traffic.error.message}</p>;
  if (!traffic.data) return <p className="muted">Loading traffic…</p>;
  const minutes = traffic.data.find((t) => t.partnerId === partnerId)?.minutes ?? [];
  const totals = { accepted: 0, duplicate: 0, rejected: 0, throttled: 0, unauthorized: 0 };
  const reasons = new Map<string, number>();
  for (const m of minutes) {
    totals.accepted += m.accepted;
    totals.duplicate += m.duplicate;
    totals.rejected += m.rejected;
    totals.throttled += m.throttled;
    totals.unauthorized += m.unauthorized;
    for (const [r, n] of Object.entries(m.reasons)) reasons.set(r, (reasons.get(r) ?? 0) + n);
  }
  return (
    <div className="traffic" data-testid={`traffic-${partnerId}`}>
      <p>
        Last hour: <strong data-testid="traffic-accepted">{totals.accepted}</strong> accepted,{" "}
        {totals.duplicate} duplicates, <strong>{totals.rejected}</strong> rejected,{" "}
        <strong>{totals.throttled}</strong> 429 responses, {totals.unauthorized} refused signatures.
      </p>
      <TrafficChart
        points={minutes.map((m) => ({
          minute: hhmm(m.minuteStartMs),
          accepted: m.accepted,
          duplicate: m.duplicate,
          rejected: m.rejected,
          throttled: m.throttled,
        }))}
      />
      {reasons.size > 0 ? (
        <table className="compact">
          <caption>Rejection reasons, last hour</caption>
          <tbody>
            {[...reasons.entries()]
              .sort((a, b) => b[1] - a[1])
              .map(([reason, n]) => (
                <tr key={reason}>
                  <td className="mono">{reason}</td>
                  <td>{n}</td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No rejected events in the last hour.</p>
      )}
    </div>
  );
}
