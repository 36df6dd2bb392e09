import { campaignsRouter } from "./routers/campaigns";
import { healthRouter } from "./routers/health";
import { invoicesRouter } from "./routers/invoices";
import { reviewRouter } from "./routers/review";
import { sessionRouter } from "./routers/session";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  campaigns: campaignsRouter,
  health: healthRouter,
  invoices: invoicesRouter,
  review: reviewRouter,
  session: sessionRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process, e.g. `createCaller(ctx).health.ping()`. */
export const createCaller = createCallerFactory(appRouter);
