import {
  addBlocklistEntry,
  decideReviewItems,
  listAuditTrail,
  listBlocklistEntries,
  listReviewQueue,
  removeBlocklistEntry,
  reviewQueueFacets,
  verifyAuditChain,
} from "@adclick/db/queries";
import { withStaffScope } from "@adclick/db/scope";
import { BlocklistAdd, ReviewDecision, ReviewFilter } from "@adclick/shared/review";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { roleProcedure } from "../trpc";

/** Analysts and admins only; every call runs under their staff scope (row-level security). */
const analyst = roleProcedure("analyst", "admin");

export const reviewRouter = {
  /** Pending queued clicks matching the filter, highest risk first. */
  queue: analyst
    .input(ReviewFilter)
    .query(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, (tx) => listReviewQueue(tx, input)),
    ),

  /** The campaigns, partners and reason codes present in the queue. */
  facets: analyst.query(({ ctx }) =>
    withStaffScope(ctx.db, ctx.staff, (tx) => reviewQueueFacets(tx)),
  ),

  /** One verdict for one or more clicks; one audit row per click. */
  decide: analyst.input(ReviewDecision).mutation(async ({ ctx, input }) => {
    const decided = await withStaffScope(ctx.db, ctx.staff, (tx) =>
      decideReviewItems(tx, {
        keys: input.keys,
        status: input.verdict,
        actor: ctx.session.user.email,
        note: input.note ?? null,
      }),
    );
    return { decided: decided.length };
  }),

  /** The newest audit rows and the ids whose hash chain no longer holds. */
  audit: analyst.query(({ ctx }) =>
    withStaffScope(ctx.db, ctx.staff, async (tx) => ({
      rows: await listAuditTrail(tx, { limit: 100 }),
      broken: await verifyAuditChain(tx),
    })),
  ),

  blocklist: analyst.query(({ ctx }) =>
    withStaffScope(ctx.db, ctx.staff, (tx) => listBlocklistEntries(tx)),
  ),

  blockAdd: analyst.input(BlocklistAdd).mutation(({ ctx, input }) =>
    withStaffScope(ctx.db, ctx.staff, (tx) =>
      addBlocklistEntry(tx, {
        kind: input.kind,
        value: input.value,
        reason: input.reason,
        actor: ctx.session.user.email,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      }),
    ),
  ),

  blockRemove: analyst
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(async ({ ctx, input }) => {
      const removed = await withStaffScope(ctx.db, ctx.staff, (tx) =>
        removeBlocklistEntry(tx, { id: input.id, actor: ctx.session.user.email }),
      );
      if (!removed)
        throw new TRPCError({
          code: "NOT_FOUND",
          message: `blocklist entry ${input.id} not found`,
        });
      return removed;
    }),
} satisfies TRPCRouterRecord;
