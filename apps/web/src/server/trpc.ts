import type { Database } from "@adclick/db/client";
import {
  type AdvertiserScope,
  advertiserScope,
  type StaffRole,
  type StaffScope,
  staffScope,
} from "@adclick/db/scope";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { readSession } from "./auth/session";
import type { Session } from "./auth/session-user";
import { webDb } from "./db";

/**
 * What every procedure sees. Tests build it directly and pass it to
 * `appRouter.createCaller(ctx)`; requests build it with `createTRPCContext`.
 */
export interface TRPCContext {
  session: Session | null;
  /** The process's database handle (tests pass their own), connected as the web role. */
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

/**
 * Who may call a procedure. Every builder below sets it, and the access test
 * (access.int.test.ts) refuses a procedure of the app router that lacks it.
 */
export type Access =
  | { kind: "public" }
  | { kind: "signed-in" }
  | { kind: "staff"; roles: readonly StaffRole[] }
  | { kind: "advertiser" };

export interface ProcedureMeta {
  access?: Access;
  /**
   * For an advertiser procedure that takes input: a valid input naming
   * `campaignId`. The access test calls it with another tenant's campaign and
   * expects NOT_FOUND, and with the tenant's own campaign and expects no refusal.
   */
  campaignInput?: (campaignId: string) => unknown;
}

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
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

/** Anyone, signed in or not. The access test keeps a list of the procedures allowed to be public. */
export const publicProcedure = t.procedure.meta({ access: { kind: "public" } });

const signedIn = t.procedure.use(({ ctx, next }) => {
  if (!ctx.session) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  }
  return next({ ctx: { session: ctx.session } });
});

/** Any signed-in user; `ctx.session` is non-null inside. */
export const protectedProcedure = signedIn.meta({ access: { kind: "signed-in" } });

/**
 * A signed-in staff user with one of `roles`, e.g. `roleProcedure("analyst", "admin")`.
 * `ctx.staff` is the caller's role as a scope for `withStaffScope`, under which
 * row-level security lets staff read across tenants.
 */
export function roleProcedure(...roles: [StaffRole, ...StaffRole[]]) {
  return signedIn.meta({ access: { kind: "staff", roles } }).use(({ ctx, next }) => {
    const { role } = ctx.session.user;
    if (role === "advertiser" || !roles.includes(role)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the role ${roles.join(" or ")}`,
      });
    }
    const staff: StaffScope = staffScope(role);
    return next({ ctx: { staff } });
  });
}

/**
 * A signed-in advertiser user; `ctx.scope` is its advertiser, taken from the
 * session and never from input. Tenant queries take that scope as an argument
 * (run them in `withAdvertiserScope(ctx.db, ctx.scope, …)`); another tenant's
 * row answers NOT_FOUND. Give procedures that take a campaign id
 * `.meta({ campaignInput })` for the access test.
 */
export const advertiserProcedure = signedIn
  .meta({ access: { kind: "advertiser" } })
  .use(({ ctx, next }) => {
    const { user } = ctx.session;
    if (user.role !== "advertiser" || !user.advertiserId) {
      throw new TRPCError({ code: "FORBIDDEN", message: "This needs an advertiser account" });
    }
    const scope: AdvertiserScope = advertiserScope(user.advertiserId);
    return next({ ctx: { scope } });
  });
