"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/react";

/** A live line showing that the browser reaches the web server's tRPC API. */
export function SystemStatus() {
  const trpc = useTRPC();
  const ping = useQuery(trpc.health.ping.queryOptions(undefined, { refetchInterval: 30_000 }));

  let state: "pending" | "ok" | "error";
  let text: string;
  if (ping.isError) {
    state = "error";
    text = `unavailable (${ping.error.message})`;
  } else if (ping.data) {
    state = "ok";
    text = `web ${ping.data.status}, checked ${ping.data.time.slice(11, 19)} UTC`;
  } else {
    state = "pending";
    text = "checking…";
  }

  return (
    <p className="status" role="status" aria-live="polite" data-state={state}>
      <span className="status-dot" data-state={state} />
      System status: {text}
    </p>
  );
}
