import {
  activeFraudModel,
  addBlocklistEntry,
  decideReviewItems,
  listAuditTrail,
  listBlocklistEntries,
  listDecisionsSince,
  listFraudModels,
  listFraudRates,
  listReviewQueue,
  removeBlocklistEntry,
  reviewQueueFacets,
  verifyAuditChain,
} from "@adclick/db/queries";
import { withStaffScope } from "@adclick/db/scope";
import { Quality, qualityOnDecisions } from "@adclick/shared";
import {
  AuditTrailInput,
  BlocklistAdd,
  FraudRatesInput,
  ReviewDecision,
  ReviewFilter,
} from "@adclick/shared/review";
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

  /**
   * The newest audit rows (optionally of one area), each with the problem the
   * hash chain finds in it (null when intact), and every broken row of the whole
   * trail, so a tampered row older than the page still shows.
   */
  audit: analyst.input(AuditTrailInput).query(({ ctx, input }) =>
    withStaffScope(ctx.db, ctx.staff, async (tx) => {
      const broken = await verifyAuditChain(tx);
      const problemOf = new Map(broken.map((b) => [b.id, b.problem]));
      const rows = await listAuditTrail(tx, {
        actionPrefix: input.area ? `${input.area}.` : undefined,
        limit: input.limit,
      });
      return {
        rows: rows.map(({ prevHash: _prev, hash: _hash, ...row }) => ({
          ...row,
          problem: problemOf.get(row.id) ?? null,
        })),
        broken,
      };
    }),
  ),

  /** Billed clicks per day and campaign or partner, with how many were suspicious or fraud. */
  rates: analyst
    .input(FraudRatesInput)
    .query(({ ctx, input }) =>
      withStaffScope(ctx.db, ctx.staff, (tx) => listFraudRates(tx, input)),
    ),

  /**
   * The fraud models: the active one with its held-out quality when trained and
   * how it does on the analysts' decisions made since (the stream's risk against
   * the verdict), and every stored version.
   */
  model: analyst.query(({ ctx }) =>
    withStaffScope(ctx.db, ctx.staff, async (tx) => {
      const [active, models] = await Promise.all([activeFraudModel(tx), listFraudModels(tx)]);
      const heldOut = (stored: Record<string, unknown>) => {
        const parsed = Quality.safeParse(stored);
        return parsed.success ? parsed.data : null;
      };
      let current = null;
      if (active) {
        const since = qualityOnDecisions(
          `v${active.version}`,
          await listDecisionsSince(tx, active.trainedAt),
        );
        current = {
          version: active.version,
          kind: active.kind,
          trainedAt: active.trainedAt,
          activatedAt: active.activatedAt,
          heldOut: heldOut(active.quality),
          sinceTraining: since.decided === 0 ? null : since,
        };
      }
      return {
        active: current,
        models: models.map((m) => ({
          version: m.version,
          kind: m.kind,
          trainedAt: m.trainedAt,
          rocAuc: heldOut(m.quality)?.rocAuc ?? null,
        })),
      };
    }),
  ),

  blocklist: analyst.query(({ ctx }) =>
    withStaffScope(ctx.db, ctx.staff, (tx) => listBlocklistEntries(tx)),
  ),

  /** Blocks an IP, network or user-agent pattern; running aggregators apply it within 30 s. */
  blockAdd: analyst.input(BlocklistAdd).mutation(async ({ ctx, input }) => {
    const { entry, created } = await withStaffScope(ctx.db, ctx.staff, (tx) =>
      addBlocklistEntry(tx, {
        kind: input.kind,
        value: input.value,
        reason: input.reason,
        actor: ctx.session.user.email,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      }),
    );
    if (!created)
      throw new TRPCError({
        code: "CONFLICT",
        message: `${entry.value} is already blocked (entry ${entry.id})`,
      });
    return entry;
  }),

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
