import type { TRPCRouterRecord } from "@trpc/server";
import { env } from "../../env";
import { type LiveSource, webLiveSource } from "../live/live-source";
import { webKafka } from "../system/consumer-lag";
import { systemOverview } from "../system/system-overview";
import { roleProcedure } from "../trpc";

/** Operators' figures: analysts, finance and admins. */
const staff = roleProcedure("analyst", "finance", "admin");

export function makeSystemRouter(
  live: () => LiveSource = webLiveSource,
  now: () => number = Date.now,
) {
  return {
    overview: staff.query(({ ctx }) =>
      systemOverview(
        {
          db: ctx.db,
          live: live(),
          kafka: webKafka(env.KAFKA_BROKERS),
          ingestUrl: `http://127.0.0.1:${env.INGEST_PORT}`,
        },
        ctx.staff,
        now(),
      ),
    ),
  } satisfies TRPCRouterRecord;
}

export const systemRouter = makeSystemRouter();
