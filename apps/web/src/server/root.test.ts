import type { Database } from "@adclick/db/client";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import type { Session } from "./auth/session-user";
import { appRouter } from "./root";
import { HealthPing } from "./routers/health";
import { createCallerFactory, createTRPCRouter, roleProcedure, type TRPCContext } from "./trpc";

/** These procedures never touch the database. */
const db = {} as Database;
const anonymous: TRPCContext = { session: null, db, source: "test" };
const analyst: Session = {
  user: { id: 7, email: "ana@example.com", role: "analyst", advertiserId: null },
};

describe("appRouter", () => {
  it("health.ping answers ok with the current server time", async () => {
    const before = Date.now();
    const result = await appRouter.createCaller(anonymous).health.ping();
    expect(HealthPing.parse(result)).toEqual(result);
    expect(result.status).toBe("ok");
    expect(Date.parse(result.time)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("session.me is null for an anonymous caller", async () => {
    await expect(appRouter.createCaller(anonymous).session.me()).resolves.toBeNull();
  });

  it("session.me returns the signed-in user", async () => {
    const me = await appRouter.createCaller({ session: analyst, db, source: "test" }).session.me();
    expect(me).toEqual(analyst.user);
  });
});

describe("roleProcedure", () => {
  const router = createTRPCRouter({
    queue: roleProcedure("analyst", "admin").query(({ ctx }) => ctx.session.user.email),
  });
  const callAs = (session: Session | null) =>
    createCallerFactory(router)({ session, db, source: "test" }).queue();

  const codeOf = async (call: Promise<unknown>) => {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    return (error as TRPCError).code;
  };

  it("rejects an anonymous caller as UNAUTHORIZED", async () => {
    expect(await codeOf(callAs(null))).toBe("UNAUTHORIZED");
  });

  it("rejects a signed-in user without the role as FORBIDDEN", async () => {
    const finance: Session = { user: { ...analyst.user, role: "finance" } };
    expect(await codeOf(callAs(finance))).toBe("FORBIDDEN");
  });

  it("lets a user with one of the roles through", async () => {
    await expect(callAs(analyst)).resolves.toBe("ana@example.com");
  });
});
