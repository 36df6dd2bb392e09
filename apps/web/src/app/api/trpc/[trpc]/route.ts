import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/root";
import { createTRPCContext } from "../../../../server/trpc";

function handler(req: Request) {
  const requestId = req.headers.get("x-request-id") ?? crypto.randomUUID();
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    router: appRouter,
    req,
    createContext: () => createTRPCContext({ headers: req.headers, source: "http" }),
    onError({ error, path, type }) {
      // Expected failures (bad input, not signed in, not found) are answers, not incidents.
      if (error.code !== "INTERNAL_SERVER_ERROR") return;
      console.error(
        JSON.stringify({
          level: "error",
          msg: "tRPC procedure failed",
          requestId,
          path,
          type,
          error: error.cause?.message ?? error.message,
          stack: error.cause?.stack ?? error.stack,
        }),
      );
    },
  });
}

export { handler as GET, handler as POST };
