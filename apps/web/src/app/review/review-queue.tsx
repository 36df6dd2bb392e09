"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useCallback, useEffect, useState } from "react";
import { useTRPC } from "../../trpc/react";
import { Field } from "./field";

const keyOf = (i: { partnerId: string; eventId: string }) => `${i.partnerId}/${i.eventId}`;

/**
 * The queue with its filters and keyboard decisions: j/k move, x selects,
 * f marks the selection (or the current click) fraud, l legitimate.
 */
export function ReviewQueue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [campaignId, setCampaignId] = useState("");
  const [partnerId, setPartnerId] = useState("");
  const [reason, setReason] = useState("");
  const [day, setDay] = useState("");
  const [minRisk, setMinRisk] = useState("");
  const [maxRisk, setMaxRisk] = useState("");
  const [note, setNote] = useState("");
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [done, setDone] = useState("");
  const filter = {
    campaignId: campaignId || undefined,
    partnerId: partnerId || undefined,
    reason: reason || undefined,
    day: day || undefined,
    minRisk: minRisk ? Number(minRisk) : undefined,
    maxRisk: maxRisk ? Number(maxRisk) : undefined,
  };
  const queue = useQuery(trpc.review.queue.queryOptions(filter));
  const facets = useQuery(trpc.review.facets.queryOptions());
  const items = queue.data ?? [];
  const decide = useMutation(
    trpc.review.decide.mutationOptions({
      onSuccess: (result, input) => {
        setSelected(new Set());
        setDone(
          `Marked ${result.decided} click${result.decided === 1 ? "" : "s"} ${input.verdict === "fraud" ? "fraud" : "legitimate"}.`,
        );
        void queryClient.invalidateQueries({ queryKey: trpc.review.pathKey() });
      },
    }),
  );

  /** Decides the selection, or the current click when nothing is selected. */
  const decideSelection = useCallback(
    (verdict: "clean" | "fraud") => {
      if (decide.isPending) return;
      const chosen = items.filter((i) => selected.has(keyOf(i)));
      const current = items[cursor];
      const keys = (chosen.length ? chosen : current ? [current] : []).map((i) => ({
        partnerId: i.partnerId,
        eventId: i.eventId,
      }));
      if (keys.length) decide.mutate({ keys, verdict, note: note || undefined });
    },
    [items, cursor, selected, note, decide],
  );

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
      const current = items[cursor];
      if (e.key === "j") setCursor((c) => Math.min(c + 1, Math.max(items.length - 1, 0)));
      else if (e.key === "k") setCursor((c) => Math.max(c - 1, 0));
      else if (e.key === "x" && current) {
        setSelected((s) => {
          const next = new Set(s);
          const k = keyOf(current);
          if (next.has(k)) next.delete(k);
          else next.add(k);
          return next;
        });
      } else if (e.key === "f" || e.key === "l") {
        decideSelection(e.key === "f" ? "fraud" : "clean");
      }
    },
    [items, cursor, decideSelection],
  );
  useEffect(() => {
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onKey]);

  const options = (values: string[] | undefined) =>
    (values ?? []).map((v) => (
      <option key={v} value={v}>
        {v}
      </option>
    ));

  return (
    <div className="review-queue">
      <fieldset className="review-filters">
        <legend>Filters</legend>
        <Field label="Campaign">
          <select
            name="campaign"
            value={campaignId}
            onChange={(e) => setCampaignId(e.target.value)}
          >
            <option value="">Any campaign</option>
            {options(facets.data?.campaigns)}
          </select>
        </Field>
        <Field label="Partner">
          <select name="partner" value={partnerId} onChange={(e) => setPartnerId(e.target.value)}>
            <option value="">Any partner</option>
            {options(facets.data?.partners)}
          </select>
        </Field>
        <Field label="Reason">
          <select name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">Any reason</option>
            {options(facets.data?.reasons)}
          </select>
        </Field>
        <Field label="Lowest score">
          <input
            name="minRisk"
            type="number"
            step="0.05"
            min="0"
            max="1"
            placeholder="0"
            value={minRisk}
            onChange={(e) => setMinRisk(e.target.value)}
          />
        </Field>
        <Field label="Highest score">
          <input
            name="maxRisk"
            type="number"
            step="0.05"
            min="0"
            max="1"
            placeholder="1"
            value={maxRisk}
            onChange={(e) => setMaxRisk(e.target.value)}
          />
        </Field>
        <Field label="Click day (UTC)">
          <input name="day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </Field>
      </fieldset>
      <div className="review-actions">
        <Field label="Note for the decision" wide>
          <input
            name="note"
            value={note}
            placeholder="Why, for the audit trail"
            onChange={(e) => setNote(e.target.value)}
          />
        </Field>
        <button
          type="button"
          className="button button-danger"
          disabled={decide.isPending || items.length === 0}
          onClick={() => decideSelection("fraud")}
        >
          Mark fraud (f)
        </button>
        <button
          type="button"
          className="button-secondary"
          disabled={decide.isPending || items.length === 0}
          onClick={() => decideSelection("clean")}
        >
          Mark legitimate (l)
        </button>
      </div>
      <p className="muted">
        Keys: j and k move, x selects, f marks fraud, l marks legitimate: the selection, or the
        current click when nothing is selected.
        {selected.size > 0 && <strong> {selected.size} selected.</strong>}
      </p>
      {done && !decide.error && <p role="status">{done}</p>}
      {queue.isError && (
        <p className="state state-error" role="alert">
          {queue.error.message}
        </p>
      )}
      {decide.error && (
        <p className="state state-error" role="alert">
          {decide.error.message}
        </p>
      )}
      {queue.isPending ? (
        <p className="state" role="status">
          Loading the queue…
        </p>
      ) : items.length === 0 ? (
        <p className="state">No queued clicks match.</p>
      ) : (
        <div className="table-scroll">
          <table className="data-table review-table" aria-label="Queued clicks">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Selected</span>
                </th>
                <th scope="col">Event id</th>
                <th scope="col">Campaign</th>
                <th scope="col">Partner</th>
                <th scope="col">Click time (UTC)</th>
                <th scope="col" className="num">
                  Score
                </th>
                <th scope="col">Why flagged</th>
                <th scope="col">Click and feature values</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item, i) => (
                <tr
                  key={keyOf(item)}
                  data-event-id={item.eventId}
                  aria-current={i === cursor ? "true" : undefined}
                  aria-selected={selected.has(keyOf(item))}
                  onClick={() => setCursor(i)}
                >
                  <td>{selected.has(keyOf(item)) ? "✓" : ""}</td>
                  <td className="mono">{item.eventId}</td>
                  <td>{item.campaignId}</td>
                  <td>{item.partnerId}</td>
                  <td className="mono review-time">
                    {new Date(item.clickTs).toISOString().slice(0, 19).replace("T", " ")}
                  </td>
                  <td className="num">
                    <span className="score" data-band={bandOf(item.risk)}>
                      {item.risk.toFixed(2)}
                    </span>
                  </td>
                  <td className="review-reasons">
                    <ul className="chips" aria-label="Reason codes">
                      {item.reasons.map((r) => (
                        <li key={r} className="chip">
                          {r}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="review-details">
                    <dl className="features">
                      {detailsOf(item.click).map(([k, v]) => (
                        <Fragment key={k}>
                          <dt>{k}</dt>
                          <dd>{v}</dd>
                        </Fragment>
                      ))}
                    </dl>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The score's band as the fraud decision draws it: below 0.3 clean, from 0.7 fraud. */
const bandOf = (risk: number) => (risk >= 0.7 ? "fraud" : risk >= 0.3 ? "suspicious" : "clean");

/** The click's context and, when the aggregator recorded them, its feature values. */
function detailsOf(click: Record<string, unknown>): Array<[string, string]> {
  const shown: Array<[string, string]> = [];
  for (const key of ["ip", "user_agent", "country", "device"]) {
    const v = click[key];
    if (v !== null && v !== undefined && v !== "") shown.push([key, String(v)]);
  }
  const features = click.features;
  if (features && typeof features === "object")
    for (const [k, v] of Object.entries(features as Record<string, unknown>))
      shown.push([k, typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v)]);
  return shown;
}
