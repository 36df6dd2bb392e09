"use client";

import type { CampaignListRow } from "@adclick/shared/live-counters";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { useTRPC } from "../../trpc/react";
import { formatCount, formatRate, formatSpend } from "./format";
import { SortHeader } from "./sort-header";
import { useSorted } from "./sortable";

type Column = "id" | "name" | "clicks" | "uniqueUsers" | "costMicros" | "fraudRate";

const COLUMNS: Array<{ key: Column; label: string; numeric?: boolean }> = [
  { key: "id", label: "Campaign id" },
  { key: "name", label: "Name" },
  { key: "clicks", label: "Clicks today", numeric: true },
  { key: "uniqueUsers", label: "Unique users", numeric: true },
  { key: "costMicros", label: "Spend", numeric: true },
  { key: "fraudRate", label: "Fraud rate", numeric: true },
];

export function CampaignTable() {
  const trpc = useTRPC();
  const list = useQuery(trpc.campaigns.list.queryOptions(undefined, { refetchInterval: 5_000 }));
  const [search, setSearch] = useState("");
  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    const all: CampaignListRow[] = list.data?.campaigns ?? [];
    return q
      ? all.filter((c) => c.id.toLowerCase().includes(q) || c.name.toLowerCase().includes(q))
      : all;
  }, [list.data, search]);
  const { sorted, toggle, ariaSort } = useSorted<CampaignListRow, Column>(rows, {
    key: "clicks",
    direction: "desc",
  });

  if (list.isPending)
    return (
      <p className="state" role="status">
        Loading campaigns…
      </p>
    );
  if (list.isError)
    return (
      <div className="state state-error" role="alert">
        <p>The campaigns could not be loaded: {list.error.message}</p>
        <button type="button" className="button" onClick={() => list.refetch()}>
          Try again
        </button>
      </div>
    );
  if (list.data.campaigns.length === 0)
    return (
      <p className="state" role="status">
        This account has no campaigns yet. An administrator creates them with{" "}
        <code>adclick campaign create</code>.
      </p>
    );

  return (
    <>
      <div className="toolbar">
        <label className="search">
          <span>Search</span>
          <input
            type="search"
            name="search"
            value={search}
            placeholder="Campaign id or name"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <span className="muted" role="status" aria-live="polite">
          {rows.length} of {list.data.campaigns.length} campaigns
          {list.isRefetchError ? " · the last refresh failed, retrying" : ""}
        </span>
      </div>
      <div className="table-scroll">
        <table className="data-table" aria-label="Campaigns">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <SortHeader
                  key={c.key}
                  label={c.label}
                  numeric={c.numeric}
                  ariaSort={ariaSort(c.key)}
                  onSort={() => toggle(c.key)}
                />
              ))}
            </tr>
          </thead>
          <tbody>
            {sorted.map((c) => (
              <tr key={c.id} data-campaign-id={c.id}>
                <td>
                  <Link href={`/campaigns/${encodeURIComponent(c.id)}`} className="mono">
                    {c.id}
                  </Link>
                </td>
                <td>
                  {c.name}
                  {c.status !== "active" ? <span className="badge">{c.status}</span> : null}
                </td>
                <td className="num">{formatCount(c.clicks)}</td>
                <td className="num">{formatCount(c.uniqueUsers)}</td>
                <td className="num">{formatSpend(c.costMicros)}</td>
                <td className="num">{formatRate(c.fraudRate)}</td>
              </tr>
            ))}
            {sorted.length === 0 ? (
              <tr>
                <td colSpan={COLUMNS.length} className="state">
                  No campaign matches “{search}”.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
