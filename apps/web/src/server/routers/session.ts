import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc";

export const sessionRouter = {
  /** The signed-in user, or null for an anonymous visitor. */
  me: publicProcedure.query(({ ctx }) => ctx.session?.user ?? null),
} satisfies TRPCRouterRecord;
