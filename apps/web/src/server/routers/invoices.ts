import {
  getAdvertiser,
  InvoiceAlreadyIssuedError,
  issueInvoice,
  markInvoicePaid,
} from "@adclick/db/queries";
import { withStaffScope } from "@adclick/db/scope";
import { InvoiceById, IssueInvoiceInput, monthNotEndedReason } from "@adclick/shared/invoice";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { roleProcedure } from "../trpc";

/**
 * Finance and admins only; every call runs under their staff scope, so the
 * database's row-level security and grants refuse the same writes to anyone else.
 */
const FINANCE_ROLES = ["finance", "admin"] as const;
const finance = roleProcedure(...FINANCE_ROLES);

/** Whether `role` may issue invoices and mark them paid (the pages show the controls by it). */
export function canIssueInvoices(role: string): boolean {
  return (FINANCE_ROLES as readonly string[]).includes(role);
}

const IssuedInvoice = z.object({
  id: z.number(),
  number: z.number().nullable(),
  status: z.string(),
});

export const invoicesRouter = {
  /** Issues one advertiser's month from `billing_daily`: numbered, frozen, adjustments included. */
  issue: finance
    .input(IssueInvoiceInput)
    .output(IssuedInvoice)
    .mutation(async ({ ctx, input }) => {
      const notEnded = monthNotEndedReason(input.month, Date.now());
      if (notEnded) throw new TRPCError({ code: "BAD_REQUEST", message: notEnded });
      try {
        const issued = await withStaffScope(ctx.db, ctx.staff, async (tx) => {
          if (!(await getAdvertiser(tx, input.advertiserId))) return null;
          return issueInvoice(tx, input.advertiserId, input.month);
        });
        if (!issued)
          throw new TRPCError({
            code: "NOT_FOUND",
            message: `advertiser ${input.advertiserId} not found`,
          });
        return { id: issued.id, number: issued.number, status: issued.status };
      } catch (error) {
        if (error instanceof InvoiceAlreadyIssuedError)
          throw new TRPCError({
            code: "CONFLICT",
            message: `${input.month} is already invoiced for ${input.advertiserId} (invoice ${error.number}); later changes to it appear on the next invoice`,
          });
        throw error;
      }
    }),

  /** issued → paid. A draft, a paid or a missing invoice is refused. */
  markPaid: finance
    .input(InvoiceById)
    .output(IssuedInvoice)
    .mutation(async ({ ctx, input }) => {
      const paid = await withStaffScope(ctx.db, ctx.staff, (tx) => markInvoicePaid(tx, input.id));
      if (!paid)
        throw new TRPCError({
          code: "NOT_FOUND",
          message: `no issued invoice with id ${input.id} (only an issued, unpaid invoice can be marked paid)`,
        });
      return { id: paid.id, number: paid.number, status: paid.status };
    }),
} satisfies TRPCRouterRecord;
