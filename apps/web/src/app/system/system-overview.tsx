"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../trpc/react";
import { IngestRateChart } from "./ingest-rate-chart";

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const pct = (r: number) => `${(r * 100).toFixed(1)} %`;

/** The operators' figures, refreshed every 5 seconds. */
export function SystemOverview() {
  const trpc = useTRPC();
  const overview = useQuery(
    trpc.system.overview.queryOptions(undefined, {
      refetchInterval: 5_000,
      placeholderData: keepPreviousData,
    }),
  );
  if (overview.isError)
    return (
      <p className="error" role="alert">
        System figures unavailable: {overview.error.message}
      </p>
    );
  const o = overview.data;
  if (!o) return <p className="muted">Loading…</p>;
  const minutes = o.ingest;
  const last = minutes.at(-2) ?? minutes.at(-1);
  const recent = minutes.slice(-5);
  const perSec = recent.reduce((s, m) => s + m.accepted, 0) / Math.max(recent.length * 60, 1);
  return (
    <div>
      <p className="muted" data-testid="read-at">
        Updated {new Date(o.readAtMs).toISOString().slice(11, 19)} UTC
      </p>
      <div className="figures">
        <div className="figure">
          <div>Ingest rate (last 5 min)</div>
          <div className="value" data-testid="ingest-rate">
            {perSec.toFixed(2)} events/s
          </div>
          <div className="muted">{last ? `${last.accepted} in the last full minute` : ""}</div>
        </div>
        <div className="figure">
          <div>Event-time lag (aggregator)</div>
          <div className="value" data-testid="event-time-lag">
            {o.eventTimeLagSeconds === null ? "—" : `${o.eventTimeLagSeconds.toFixed(1)} s`}
          </div>
          <div className="muted">now minus the newest click time counted</div>
        </div>
        <div className="figure">
          <div>Fraud rate today</div>
          <div className="value" data-testid="fraud-rate">
            {pct(o.fraudToday.rate)}
          </div>
          <div className="muted">
            {o.fraudToday.fraud} fraud of {o.fraudToday.clicks + o.fraudToday.fraud} clicks
          </div>
        </div>
      </div>

      <h2>Ingest, events per minute</h2>
      <IngestRateChart
        points={minutes.map((m) => ({
          minute: hhmm(m.minuteStartMs),
          accepted: m.accepted,
          rejected: m.rejected,
          throttled: m.throttled,
        }))}
      />

      <h2>Consumer lag per role</h2>
      {o.consumers ? (
        <table className="compact" data-testid="consumer-lag">
          <thead>
            <tr>
              <th>Role</th>
              <th>Topic</th>
              <th>Lag (messages)</th>
              <th>Consumers</th>
              <th>Group state</th>
            </tr>
          </thead>
          <tbody>
            {o.consumers.map((c) => (
              <tr key={c.group}>
                <td>{c.role}</td>
                <td className="mono">{c.topic}</td>
                <td>{c.lag}</td>
                <td>{c.members}</td>
                <td>{c.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="error">Kafka did not answer.</p>
      )}

      <h2>Services</h2>
      <table className="compact" data-testid="services">
        <tbody>
          {o.services.map((s) => (
            <tr key={s.name} data-service={s.name}>
              <td>{s.name}</td>
              <td className={s.ok ? "health-ok" : "health-bad"}>{s.ok ? "up" : "down"}</td>
              <td className="muted">{s.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Real-time against batch, per day</h2>
      {o.accuracy.length === 0 ? (
        <p className="muted">No day reconciled yet in the last 14 days.</p>
      ) : (
        <table className="compact" data-testid="accuracy">
          <thead>
            <tr>
              <th>Day</th>
              <th>Live clicks</th>
              <th>Billed clicks</th>
              <th>Difference</th>
            </tr>
          </thead>
          <tbody>
            {o.accuracy.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.liveClicks}</td>
                <td>{d.billedClicks}</td>
                <td className={d.discrepancy > 0.05 ? "health-bad" : ""}>{pct(d.discrepancy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Last batch runs</h2>
      {o.batchRuns.length === 0 ? (
        <p className="muted">No batch has run yet.</p>
      ) : (
        <table className="compact" data-testid="batch-runs">
          <thead>
            <tr>
              <th>Day</th>
              <th>Status</th>
              <th>Started (UTC)</th>
              <th>Duration</th>
              <th>Events</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {o.batchRuns.map((r) => (
              <tr key={r.id}>
                <td>{r.day}</td>
                <td>{r.status}</td>
                <td>{r.startedAt.replace("T", " ").slice(0, 19)}</td>
                <td>{r.durationMs === null ? "" : `${(r.durationMs / 1000).toFixed(1)} s`}</td>
                <td>{r.eventsIn ?? ""}</td>
                <td className="muted">{r.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
