/**
 * Every procedure of the app router, called as every caller that may not call
 * it: each call must be refused. A procedure without an access declaration, a
 * public one not on the list below, or an advertiser procedure taking input
 * without a `campaignInput` sample fails here, so a new procedure cannot skip
 * the check.
 */
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  createAdvertiser,
  createCampaign,
  ensureBillingPartition,
  getInvoice,
  issueInvoice,
  markInvoicePaid,
} from "@adclick/db/queries";
import { billingDaily, campaigns, invoices } from "@adclick/db/schema";
import { advertiserScope, WEB_DB_ROLE, withAdvertiserScope } from "@adclick/db/scope";
import { type AnyProcedure, type AnyRouter, initTRPC, TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createTestStack, type TestStack } from "../../../../test/stack";
import type { Role, Session } from "./auth/session-user";
import { appRouter, createCaller } from "./root";
import {
  type Access,
  advertiserProcedure,
  createCallerFactory,
  createTRPCRouter,
  type ProcedureMeta,
  protectedProcedure,
  publicProcedure,
  roleProcedure,
  type TRPCContext,
} from "./trpc";

/** The only procedures anyone may call signed out. Adding one here is a decision, not a default. */
const PUBLIC_PROCEDURES = new Set(["health.ping", "session.me"]);

const REFUSED = new Set(["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND"]);

interface Caller {
  name: string;
  session: Session | null;
}

const user = (id: number, role: Role, advertiserId: string | null = null): Session => ({
  user: { id, email: `${role}${id}@example.com`, role, advertiserId },
});

const CALLERS: Caller[] = [
  { name: "signed out", session: null },
  { name: "advertiser acme", session: user(1, "advertiser", "acme") },
  { name: "advertiser globex", session: user(2, "advertiser", "globex") },
  { name: "analyst", session: user(3, "analyst") },
  { name: "finance", session: user(4, "finance") },
  { name: "admin", session: user(5, "admin") },
];

/** One campaign per tenant, so each advertiser can be pointed at the other's. */
const CAMPAIGN_OF: Record<string, string> = { acme: "acme-walk-1", globex: "globex-walk-1" };

function mayCall(access: Access, session: Session | null): boolean {
  if (access.kind === "public") return true;
  if (!session) return false;
  const { role } = session.user;
  switch (access.kind) {
    case "signed-in":
      return true;
    case "staff":
      return role !== "advertiser" && access.roles.includes(role);
    case "advertiser":
      return role === "advertiser";
  }
}

async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "answered";
  } catch (error) {
    return error instanceof TRPCError ? error.code : `threw ${String(error)}`;
  }
}

/** What is wrong with the router's access, as readable lines; empty when every call was refused. */
async function accessProblems(router: AnyRouter, db: TRPCContext["db"]): Promise<string[]> {
  const problems: string[] = [];
  const procedures = router._def.procedures as Record<string, AnyProcedure>;
  const factory = createCallerFactory(router as typeof appRouter);
  const callAs = (session: Session | null, path: string, input: unknown) => {
    const caller = factory({ session, db, source: "test" }) as unknown as Record<string, unknown>;
    const fn = path
      .split(".")
      .reduce<unknown>((o, key) => (o as Record<string, unknown>)[key], caller);
    return () => (fn as (input: unknown) => Promise<unknown>)(input);
  };

  for (const [path, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta as ProcedureMeta | undefined;
    const access = meta?.access;
    if (!access) {
      problems.push(`${path}: no access declaration (build it from a procedure in trpc.ts)`);
      continue;
    }
    if (access.kind === "public") {
      if (!PUBLIC_PROCEDURES.has(path)) problems.push(`${path}: public but not on the public list`);
      continue;
    }
    const takesInput = procedure._def.inputs.length > 0;
    if (access.kind === "advertiser" && takesInput && !meta.campaignInput) {
      problems.push(`${path}: an advertiser procedure with input needs meta.campaignInput`);
      continue;
    }
    for (const caller of CALLERS) {
      if (mayCall(access, caller.session)) continue;
      const input = meta.campaignInput?.(CAMPAIGN_OF.acme!);
      const result = await outcome(callAs(caller.session, path, input));
      if (!REFUSED.has(result)) problems.push(`${path} as ${caller.name}: ${result}, not refused`);
    }
    if (access.kind === "advertiser" && meta.campaignInput) {
      for (const [tenant, other] of [
        ["acme", "globex"],
        ["globex", "acme"],
      ] as const) {
        const session = CALLERS.find((c) => c.name === `advertiser ${tenant}`)!.session;
        const foreign = await outcome(
          callAs(session, path, meta.campaignInput(CAMPAIGN_OF[other]!)),
        );
        if (foreign !== "NOT_FOUND") {
          problems.push(
            `${path} as advertiser ${tenant} on ${other}'s campaign: ${foreign}, not NOT_FOUND`,
          );
        }
        // The sample is valid for its owner, so the NOT_FOUND above is about the tenant.
        const own = await outcome(callAs(session, path, meta.campaignInput(CAMPAIGN_OF[tenant]!)));
        if (REFUSED.has(own))
          problems.push(`${path} as advertiser ${tenant} on its own campaign: ${own}`);
      }
    }
  }
  return problems;
}

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  for (const [advertiserId, campaignId] of Object.entries(CAMPAIGN_OF)) {
    await createAdvertiser(owner.db, { id: advertiserId, name: advertiserId });
    await createCampaign(owner.db, {
      id: campaignId,
      advertiserId,
      name: campaignId,
      cpcMicros: 100_000,
      landingUrl: "https://example.com/",
    });
  }
});
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("access of every app router procedure", () => {
  it("refuses every caller that may not call a procedure, and every other tenant", async () => {
    expect(Object.keys(appRouter._def.procedures).length).toBeGreaterThan(0);
    expect(await accessProblems(appRouter, web.db)).toEqual([]);
  });
});

describe("who the staff screens are for", () => {
  const accessOf = (path: string) =>
    (
      (appRouter._def.procedures as unknown as Record<string, AnyProcedure>)[path]?._def
        .meta as ProcedureMeta
    )?.access;

  it("keeps every partner procedure (keys, secrets, traffic, links) to admins", () => {
    const paths = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("partners."));
    expect(paths).toEqual(
      expect.arrayContaining(["partners.create", "partners.rotateKey", "partners.revokeKey"]),
    );
    for (const path of paths)
      expect(accessOf(path), path).toEqual({ kind: "staff", roles: ["admin"] });
  });

  it("opens the system figures to analysts, finance and admins", () => {
    expect(accessOf("system.overview")).toEqual({
      kind: "staff",
      roles: ["analyst", "finance", "admin"],
    });
  });
});

describe("the access walk itself", () => {
  const campaignInput = (campaignId: string) => ({ campaignId });
  const CampaignInput = z.object({ campaignId: z.string() });

  /** Reads a campaign the right way: in the caller's scope, NOT_FOUND when it is not theirs. */
  const scopedName = advertiserProcedure
    .meta({ campaignInput })
    .input(CampaignInput)
    .query(async ({ ctx, input }) => {
      const [row] = await withAdvertiserScope(ctx.db, ctx.scope, (tx) =>
        tx
          .select({ name: campaigns.name })
          .from(campaigns)
          .where(eq(campaigns.id, input.campaignId)),
      );
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such campaign" });
      return row.name;
    });

  it("passes procedures built right", async () => {
    const router = createTRPCRouter({
      campaign: scopedName,
      queue: roleProcedure("analyst", "admin").query(() => []),
      me: protectedProcedure.query(({ ctx }) => ctx.session.user.email),
    });
    expect(await accessProblems(router, web.db)).toEqual([]);
  });

  it("names a procedure without an access declaration", async () => {
    const bare = initTRPC.context<TRPCContext>().create();
    const router = createTRPCRouter({ leak: bare.procedure.query(() => "everything") });
    expect(await accessProblems(router, web.db)).toEqual([
      "leak: no access declaration (build it from a procedure in trpc.ts)",
    ]);
  });

  it("names an unlisted public procedure and an advertiser procedure without a sample input", async () => {
    const router = createTRPCRouter({
      open: publicProcedure.query(() => "hello"),
      unsampled: advertiserProcedure.input(CampaignInput).query(() => "?"),
    });
    expect(await accessProblems(router, web.db)).toEqual([
      "open: public but not on the public list",
      "unsampled: an advertiser procedure with input needs meta.campaignInput",
    ]);
  });

  it("catches a procedure that trusts the campaign id from input", async () => {
    // Ignores ctx.scope and reads with the process's owner connection: the classic leak.
    const trusting = advertiserProcedure
      .meta({ campaignInput })
      .input(CampaignInput)
      .query(async ({ input }) => {
        const [row] = await owner.db
          .select({ name: campaigns.name })
          .from(campaigns)
          .where(eq(campaigns.id, input.campaignId));
        if (!row) throw new TRPCError({ code: "NOT_FOUND" });
        return row.name;
      });
    const router = createTRPCRouter({ campaign: trusting });
    expect(await accessProblems(router, web.db)).toEqual([
      "campaign as advertiser acme on globex's campaign: answered, not NOT_FOUND",
      "campaign as advertiser globex on acme's campaign: answered, not NOT_FOUND",
    ]);
  });

  it("catches a role check that lets the wrong role in", async () => {
    // Declares analyst-only access but is built on the any-signed-in builder.
    const mislabelled = protectedProcedure
      .meta({ access: { kind: "staff", roles: ["analyst"] } })
      .query(() => "queue");
    const router = createTRPCRouter({ queue: mislabelled });
    expect(await accessProblems(router, web.db)).toEqual([
      "queue as advertiser acme: answered, not refused",
      "queue as advertiser globex: answered, not refused",
      "queue as finance: answered, not refused",
      "queue as admin: answered, not refused",
    ]);
  });
});

describe("finance writes from the dashboard", () => {
  let invoiceId: number;

  beforeAll(async () => {
    await ensureBillingPartition(owner.db, "2026-10-01");
    await owner.db.insert(billingDaily).values({
      day: "2026-10-05",
      campaignId: CAMPAIGN_OF.acme!,
      advertiserId: "acme",
      dimension: "all",
      clicks: 3,
      uniqueUsers: 3,
      costMicros: 300_000,
      fraudClicks: 0,
    });
    invoiceId = (await issueInvoice(owner.db, "acme", "2026-10")).id;
  });

  const callerOf = (name: string) =>
    createCaller({
      session: CALLERS.find((c) => c.name === name)!.session,
      db: web.db,
      source: "test",
    });

  it("refuses an advertiser or analyst issuing an invoice or marking one paid, even its own", async () => {
    for (const name of ["advertiser acme", "analyst"]) {
      const caller = callerOf(name);
      expect(
        await outcome(() => caller.invoices.issue({ advertiserId: "acme", month: "2026-11" })),
      ).toBe("FORBIDDEN");
      expect(await outcome(() => caller.invoices.markPaid({ id: invoiceId }))).toBe("FORBIDDEN");
    }
    expect(
      await outcome(() =>
        callerOf("signed out").invoices.issue({ advertiserId: "acme", month: "2026-11" }),
      ),
    ).toBe("UNAUTHORIZED");
    const rows = await owner.db.select().from(invoices);
    expect(rows.map((r) => [r.month, r.status])).toEqual([["2026-10-01", "issued"]]);
  });

  it("is backed by the database: under an advertiser's scope the web role cannot issue or mark paid", async () => {
    const acme = advertiserScope("acme");
    await expect(
      withAdvertiserScope(web.db, acme, (tx) => issueInvoice(tx, "acme", "2026-11")),
    ).rejects.toThrow();
    await expect(
      withAdvertiserScope(web.db, acme, (tx) =>
        tx.insert(invoices).values({
          advertiserId: "acme",
          month: "2026-11-01",
          clicks: 0,
          totalMicros: 0,
          lines: [],
        }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    // The advertiser may read its invoice, but the update policy hides it from the write.
    expect(
      await withAdvertiserScope(web.db, acme, (tx) => markInvoicePaid(tx, invoiceId)),
    ).toBeNull();
    expect((await getInvoice(owner.db, invoiceId))?.invoice.status).toBe("issued");
    expect((await owner.db.select().from(invoices)).length).toBe(1);
  });

  it("lets finance do both through the same procedures", async () => {
    const issued = await callerOf("finance").invoices.issue({
      advertiserId: "acme",
      month: "2026-11",
    });
    expect(issued).toMatchObject({ status: "issued", number: 2 });
    expect(await callerOf("admin").invoices.markPaid({ id: invoiceId })).toMatchObject({
      id: invoiceId,
      status: "paid",
    });
  });
});
