import { z } from "zod";

/** Longest ranges the reporting API answers: 7 days of 5-minute windows, a year of days. */
export const MAX_5M_RANGE_MS = 7 * 86_400_000;
export const MAX_DAY_RANGE_MS = 366 * 86_400_000;

/** ISO-8601 date (`2026-12-02`, UTC midnight) or date-time with an offset or `Z`. */
const isoInstant = (name: string) =>
  z
    .string({ error: `${name} is required (ISO-8601, e.g. 2026-12-02T00:00:00Z)` })
    .refine(
      (v) =>
        z.iso.datetime({ offset: true }).safeParse(v).success || z.iso.date().safeParse(v).success,
      {
        error: `${name} must be an ISO-8601 date or date-time such as 2026-12-02T00:00:00Z`,
      },
    )
    .transform((v) => Date.parse(v));

/** The query string of `GET /api/v1/stats` (C10). */
export const StatsParams = z
  .object({
    campaign_id: z
      .string({ error: "campaign_id is required" })
      .min(1, { error: "campaign_id is required" })
      .max(128, { error: "campaign_id is too long" }),
    from: isoInstant("from"),
    to: isoInstant("to"),
    granularity: z.enum(["5m", "day"], { error: "granularity must be 5m or day" }),
  })
  .superRefine((p, ctx) => {
    if (p.to <= p.from) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
      return;
    }
    const max = p.granularity === "5m" ? MAX_5M_RANGE_MS : MAX_DAY_RANGE_MS;
    if (p.to - p.from > max)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `to may be at most ${p.granularity === "5m" ? "7 days" : "366 days"} after from for granularity=${p.granularity}`,
      });
  });
export type StatsParams = z.infer<typeof StatsParams>;

/** The first problem with a query string, as `{ parameter, message }`, or the parsed parameters. */
export function parseStatsParams(
  search: URLSearchParams,
): { ok: true; params: StatsParams } | { ok: false; parameter: string; message: string } {
  const raw: Record<string, string> = {};
  for (const key of ["campaign_id", "from", "to", "granularity"]) {
    const v = search.get(key);
    if (v !== null) raw[key] = v;
  }
  const parsed = StatsParams.safeParse(raw);
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, parameter: String(issue.path[0] ?? "query"), message: issue.message };
}
