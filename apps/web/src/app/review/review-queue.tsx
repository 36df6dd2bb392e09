"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "../../trpc/react";

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
      onSuccess: () => {
        setSelected(new Set());
        void queryClient.invalidateQueries({ queryKey: trpc.review.pathKey() });
      },
    }),
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
      } else if ((e.key === "f" || e.key === "l") && !decide.isPending) {
        const chosen = items.filter((i) => selected.has(keyOf(i)));
        const keys = (chosen.length ? chosen : current ? [current] : []).map((i) => ({
          partnerId: i.partnerId,
          eventId: i.eventId,
        }));
        if (keys.length)
          decide.mutate({
            keys,
            verdict: e.key === "f" ? "fraud" : "clean",
            note: note || undefined,
          });
      }
    },
    [items, cursor, selected, note, decide],
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
        <label>
          Campaign
          <select
            name="campaign"
            value={campaignId}
            onChange={(e) => setCampaignId(e.target.value)}
          >
            <option value="">any</option>
            {options(facets.data?.campaigns)}
          </select>
        </label>
        <label>
          Partner
          <select name="partner" value={partnerId} onChange={(e) => setPartnerId(e.target.value)}>
            <option value="">any</option>
            {options(facets.data?.partners)}
          </select>
        </label>
        <label>
          Reason
          <select name="reason" value={reason} onChange={(e) => setReason(e.target.value)}>
            <option value="">any</option>
            {options(facets.data?.reasons)}
          </select>
        </label>
        <label>
          Score from
          <input
            name="minRisk"
            type="number"
            step="0.05"
            min="0"
            max="1"
            value={minRisk}
            onChange={(e) => setMinRisk(e.target.value)}
          />
        </label>
        <label>
          to
          <input
            name="maxRisk"
            type="number"
            step="0.05"
            min="0"
            max="1"
            value={maxRisk}
            onChange={(e) => setMaxRisk(e.target.value)}
          />
        </label>
        <label>
          Day
          <input name="day" type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </label>
        <label>
          Note
          <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
      </fieldset>
      <p className="muted">
        j/k move, x selects, f marks fraud, l marks legitimate (the selection, or the current
        click).
        {selected.size > 0 && ` ${selected.size} selected.`}
      </p>
      {decide.error && <p role="alert">{decide.error.message}</p>}
      {queue.isPending ? (
        <p className="muted">Loading the queue…</p>
      ) : items.length === 0 ? (
        <p className="muted">No queued clicks match.</p>
      ) : (
        <table className="review-table">
          <thead>
            <tr>
              <th>Selected</th>
              <th>Event id</th>
              <th>Campaign</th>
              <th>Partner</th>
              <th>Click time (UTC)</th>
              <th>Score</th>
              <th>Reasons</th>
              <th>Features</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item, i) => {
              const features = (item.click as { features?: Record<string, unknown> }).features;
              return (
                <tr
                  key={keyOf(item)}
                  data-event-id={item.eventId}
                  aria-current={i === cursor ? "true" : undefined}
                  aria-selected={selected.has(keyOf(item))}
                  onClick={() => setCursor(i)}
                >
                  <td>{selected.has(keyOf(item)) ? "✓" : ""}</td>
                  <td>
                    <code>{item.eventId}</code>
                  </td>
                  <td>{item.campaignId}</td>
                  <td>{item.partnerId}</td>
                  <td>{new Date(item.clickTs).toISOString().slice(0, 19).replace("T", " ")}</td>
                  <td>{item.risk.toFixed(2)}</td>
                  <td>{item.reasons.join(", ")}</td>
                  <td>
                    {features
                      ? Object.entries(features)
                          .map(([k, v]) => `${k}=${String(v)}`)
                          .join(" ")
                      : "—"}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
