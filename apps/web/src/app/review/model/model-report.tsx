"use client";

import type { Quality } from "@adclick/shared";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../trpc/react";

const percent = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : "—");
const auc = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(4) : "—");
const when = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ");

/** The active model's quality, held out and on analysts' verdicts, and the stored versions. */
export function ModelReport() {
  const trpc = useTRPC();
  const report = useQuery(trpc.review.model.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (report.isPending)
    return (
      <p className="state" role="status">
        Loading…
      </p>
    );
  if (report.isError)
    return (
      <p className="state state-error" role="alert">
        {report.error.message}
      </p>
    );
  const { active, models } = report.data;
  return (
    <div>
      {active ? (
        <>
          <p data-testid="active-model">
            Version <strong>{active.version}</strong> ({active.kind}) is active since{" "}
            {when(active.activatedAt)} UTC, trained {when(active.trainedAt)} UTC.
          </p>
          <div className="model-quality">
            <QualityTable
              caption="Held out when trained"
              quality={active.heldOut}
              empty="No held-out figures were stored with this model."
            />
            <QualityTable
              caption={
                active.sinceTraining
                  ? `On ${active.sinceTraining.decided} analysts' decisions since`
                  : "On analysts' decisions since"
              }
              quality={active.sinceTraining}
              empty="No analyst has decided a click this model scored since it was trained."
            />
          </div>
        </>
      ) : (
        <p className="state" data-testid="active-model">
          No model is active: clicks are scored by the rules alone.
        </p>
      )}
      <h2>Stored versions</h2>
      {models.length === 0 ? (
        <p className="state">No model has been trained yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table review-table" aria-label="Model versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Kind</th>
                <th>Trained (UTC)</th>
                <th>Held-out ROC AUC</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.version}>
                  <td className="mono">{m.version}</td>
                  <td>{m.kind}</td>
                  <td className="mono">{when(m.trainedAt)}</td>
                  <td className="mono">{auc(m.rocAuc)}</td>
                  <td>{m.version === active?.version ? "active" : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function QualityTable(props: { caption: string; quality: Quality | null; empty: string }) {
  const { quality } = props;
  return (
    <table className="data-table review-table" aria-label={props.caption}>
      <caption>{props.caption}</caption>
      {quality ? (
        <tbody>
          <tr>
            <th scope="row">Clicks (invalid)</th>
            <td className="mono">
              {quality.examples} ({quality.positives})
            </td>
          </tr>
          <tr>
            <th scope="row">ROC AUC</th>
            <td className="mono">{auc(quality.rocAuc)}</td>
          </tr>
          {quality.at.map((c) => (
            <tr key={c.threshold}>
              <th scope="row">At {c.threshold}</th>
              <td className="mono">
                precision {percent(c.precision)}, recall {percent(c.recall)} · tp {c.tp} fp {c.fp}{" "}
                fn {c.fn} tn {c.tn}
              </td>
            </tr>
          ))}
        </tbody>
      ) : (
        <tbody>
          <tr>
            <td className="muted">{props.empty}</td>
          </tr>
        </tbody>
      )}
    </table>
  );
}
