import type { Database } from "@adclick/db/client";
import { type AdvertiserScope, advertiserScope } from "@adclick/db/scope";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { readSession } from "./auth/session";
import type { Role, Session } from "./auth/session-user";
import { webDb } from "./db";

/**
 * What every procedure sees. Tests build it directly and pass it to
 * `appRouter.createCaller(ctx)`; requests build it with `createTRPCContext`.
 */
export interface TRPCContext {
  session: Session | null;
  /** The process's database handle (tests pass their own). */
  db: Database;
  /** Where the call came from, for logs: "http", "rsc" or "test". */
  source: string;
}

export async function createTRPCContext(opts: {
  headers: Headers;
  source: string;
}): Promise<TRPCContext> {
  return { session: await readSession(opts.headers), db: webDb().db, source: opts.source };
}

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: {
      ...shape.data,
      // Field errors for forms; never a stack (tRPC drops it outside development).
      zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
    },
  }),
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure;

/** A signed-in user; `ctx.session` is non-null inside. */
export const protectedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  }
  return next({ ctx: { session: ctx.session } });
});

/**
 * A signed-in user with one of `roles`, e.g. `roleProcedure("analyst", "admin")`.
 * Tenant checks (an advertiser sees only its own campaigns) stay in the procedures,
 * which answer NOT_FOUND for another tenant's data (C10).
 */
export function roleProcedure(...roles: [Role, ...Role[]]) {
  return protectedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.session.user.role)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the role ${roles.join(" or ")}`,
      });
    }
    return next();
  });
}

/**
 * A signed-in advertiser user; `ctx.scope` is its advertiser, taken from the
 * session and never from input. Tenant queries take that scope as an argument.
 */
export const advertiserProcedure = protectedProcedure.use(({ ctx, next }) => {
  const { user } = ctx.session;
  if (user.role !== "advertiser" || !user.advertiserId) {
    throw new TRPCError({ code: "FORBIDDEN", message: "This needs an advertiser account" });
  }
  const scope: AdvertiserScope = advertiserScope(user.advertiserId);
  return next({ ctx: { scope } });
});
