"use client";

import { auditChange } from "@adclick/shared/review";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../../../trpc/react";
import { Field } from "../field";

type Area = "" | "review" | "blocklist";

const PROBLEM_TEXT = {
  content: "content changed after it was written",
  link: "does not follow the row before it (a row was removed, inserted or reordered)",
} as const;

/** The newest audit rows with the hash chain's verdict on each. */
export function AuditTrail() {
  const trpc = useTRPC();
  const [area, setArea] = useState<Area>("");
  const audit = useQuery(
    trpc.review.audit.queryOptions(
      { area: area || undefined, limit: 200 },
      { placeholderData: keepPreviousData, refetchInterval: 15_000 },
    ),
  );

  return (
    <div>
      <div className="review-actions">
        <Field label="Show">
          <select name="area" value={area} onChange={(e) => setArea(e.target.value as Area)}>
            <option value="">Every change</option>
            <option value="review">Review decisions</option>
            <option value="blocklist">Blocklist changes</option>
          </select>
        </Field>
      </div>
      {audit.isPending ? (
        <p className="state" role="status">
          Loading the audit trail…
        </p>
      ) : audit.isError ? (
        <p className="state state-error" role="alert">
          The audit trail could not be loaded: {audit.error.message}
        </p>
      ) : (
        <>
          {audit.data.broken.length === 0 ? (
            <p className="chain-ok" data-testid="chain-status">
              ✓ The chain is intact: no row has been changed or removed.
            </p>
          ) : (
            <p className="chain-broken" role="alert" data-testid="chain-status">
              ⚠ Tampering detected:{" "}
              {audit.data.broken.length === 1
                ? "1 row no longer matches"
                : `${audit.data.broken.length} rows no longer match`}{" "}
              the chain ({audit.data.broken.map((b) => `#${b.id} ${b.problem}`).join(", ")}).
            </p>
          )}
          {audit.data.rows.length === 0 ? (
            <p className="state">No changes recorded yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table review-table audit-table" aria-label="Audit trail">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">When (UTC)</th>
                    <th scope="col">Who</th>
                    <th scope="col">What</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                    <th scope="col">Chain</th>
                  </tr>
                </thead>
                <tbody>
                  {audit.data.rows.map((row) => {
                    const { before, after } = auditChange(row.action, row.detail);
                    return (
                      <tr
                        key={row.id}
                        data-subject={row.subject}
                        data-tampered={row.problem ? "true" : undefined}
                      >
                        <td className="mono">{row.id}</td>
                        <td className="mono audit-when">
                          {new Date(row.at).toISOString().slice(0, 19).replace("T", " ")}
                        </td>
                        <td>{row.actor}</td>
                        <td className="mono">{row.action}</td>
                        <td className="mono audit-subject">{row.subject}</td>
                        <td className="review-wrap">
                          <Change value={before} />
                        </td>
                        <td className="review-wrap">
                          <Change value={after} />
                        </td>
                        <td>
                          {row.problem ? (
                            <span className="chain-broken-cell" title={PROBLEM_TEXT[row.problem]}>
                              ⚠ tampered: {PROBLEM_TEXT[row.problem]}
                            </span>
                          ) : (
                            <span className="chain-ok">✓ intact</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** A before or after state as short `key: value` lines; a dash when there was none. */
function Change({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  if (typeof value !== "object") return <span>{String(value)}</span>;
  const lines = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${k}: ${v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)}`,
  );
  return <pre className="change">{lines.join("\n")}</pre>;
}
