import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { publicProcedure } from "../trpc";

export const HealthPing = z.object({
  status: z.literal("ok"),
  /** Server time as ISO-8601, so a client can see the answer is fresh. */
  time: z.iso.datetime(),
});
export type HealthPing = z.infer<typeof HealthPing>;

export const healthRouter = {
  /** The web server is up and answering tRPC calls. */
  ping: publicProcedure.output(HealthPing).query(() => ({
    status: "ok" as const,
    time: new Date().toISOString(),
  })),
} satisfies TRPCRouterRecord;
