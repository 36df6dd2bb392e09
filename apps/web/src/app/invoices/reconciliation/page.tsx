import { latestBatchRunPerDaySince, latestReconciliationSince } from "@adclick/db/queries";
import type { Metadata } from "next";
import { requirePage } from "../../../server/auth/request-session";
import { webDb } from "../../../server/db";
import { withInvoiceScope } from "../../../server/invoices/scoped-db";
import { PageShell } from "../../page-shell";
import { TrendChart, type TrendPoint } from "./trend-chart";
import "../../campaigns/campaigns.css";
import "../invoices.css";

export const metadata: Metadata = { title: "Reconciliation" };
export const dynamic = "force-dynamic";

const DAYS = 30;

export default async function ReconciliationPage() {
  // Finance and admin only: the page-access table (SUBPAGES) refuses advertisers with a 404.
  const session = await requirePage("/invoices/reconciliation");
  const from = new Date(Date.now() - DAYS * 86_400_000).toISOString().slice(0, 10);
  const { checks, runs } = await withInvoiceScope(webDb().db, session, async (tx) => ({
    checks: await latestReconciliationSince(tx, from),
    runs: await latestBatchRunPerDaySince(tx, from),
  }));
  const days = [...new Set([...checks.map((c) => c.day), ...runs.map((r) => r.day)])]
    .sort()
    .reverse();
  const trend: TrendPoint[] = [...days].reverse().map((day) => {
    const of = checks.filter((c) => c.day === day);
    return {
      day,
      liveClicks: of.reduce((s, c) => s + c.liveClicks, 0),
      billedClicks: of.reduce((s, c) => s + c.billedClicks, 0),
    };
  });
  return (
    <PageShell title="Reconciliation">
      <div className="invoice-page">
        <p className="muted">
          Each day&apos;s live counts against the nightly batch, per campaign, over the last {DAYS}{" "}
          days. Rows where they differ by more than 5 % are highlighted.
        </p>
        {days.length === 0 ? (
          <p>No reconciliation checks or batch runs in the last {DAYS} days.</p>
        ) : (
          <>
            <TrendChart points={trend} />
            {days.map((day) => {
              const run = runs.find((r) => r.day === day);
              const of = checks.filter((c) => c.day === day);
              return (
                <section key={day}>
                  <h2>{day}</h2>
                  <p className="muted">
                    {run
                      ? `Batch run ${run.id} (${run.status}): ${run.eventsIn ?? "–"} events in, ${run.duplicates ?? "–"} duplicates, ${run.fraudRemoved ?? "–"} fraud removed, ${run.durationMs === null ? "–" : `${(run.durationMs / 1000).toFixed(1)} s`}`
                      : "No batch run recorded for this day."}
                  </p>
                  {of.length > 0 && (
                    <table className="data-table">
                      <thead>
                        <tr>
                          <th>Campaign</th>
                          <th className="num">Live clicks</th>
                          <th className="num">Billed clicks</th>
                          <th className="num">Difference</th>
                        </tr>
                      </thead>
                      <tbody>
                        {of.map((c) => (
                          <tr
                            key={c.campaignId}
                            data-over-threshold={c.thresholdExceeded || undefined}
                            style={c.thresholdExceeded ? { background: "#fde2e2" } : undefined}
                          >
                            <td>{c.campaignId}</td>
                            <td className="num">{c.liveClicks.toLocaleString("en-US")}</td>
                            <td className="num">{c.billedClicks.toLocaleString("en-US")}</td>
                            <td className="num">
                              {(c.discrepancy * 100).toFixed(1)} %
                              {c.thresholdExceeded ? " (over 5 %)" : ""}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </section>
              );
            })}
          </>
        )}
      </div>
    </PageShell>
  );
}
