import { campaignsRouter } from "./routers/campaigns";
import { healthRouter } from "./routers/health";
import { invoicesRouter } from "./routers/invoices";
import { partnersRouter } from "./routers/partners";
import { reviewRouter } from "./routers/review";
import { sessionRouter } from "./routers/session";
import { systemRouter } from "./routers/system";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  campaigns: campaignsRouter,
  health: healthRouter,
  invoices: invoicesRouter,
  partners: partnersRouter,
  review: reviewRouter,
  session: sessionRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process, e.g. `createCaller(ctx).health.ping()`. */
export const createCaller = createCallerFactory(appRouter);
