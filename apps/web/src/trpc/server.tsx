import "server-only";

import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy, type TRPCQueryOptions } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { appRouter, createCaller } from "../server/root";
import { createTRPCContext } from "../server/trpc";
import { createQueryClient } from "./query-client";

/** One context and one QueryClient per server request (React's `cache` scopes them). */
const createContext = cache(async () =>
  createTRPCContext({ headers: new Headers(await headers()), source: "rsc" }),
);
const getQueryClient = cache(createQueryClient);

/** Query options for server components: `prefetch(trpc.health.ping.queryOptions())`. */
export const trpc = createTRPCOptionsProxy({
  router: appRouter,
  ctx: createContext,
  queryClient: getQueryClient,
});

/** Calls a procedure directly from a server component or action, without HTTP. */
export async function serverCaller() {
  return createCaller(await createContext());
}

/** Starts a query on the server; wrap the client part in <HydrateClient> to hand its data over. */
// biome-ignore lint/suspicious/noExplicitAny: accepts the options of any procedure
export function prefetch<T extends ReturnType<TRPCQueryOptions<any>>>(queryOptions: T): void {
  void getQueryClient().prefetchQuery(queryOptions);
}

/** Sends the server's prefetched queries to the client components below it. */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
