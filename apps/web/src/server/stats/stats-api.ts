import type { Database } from "@adclick/db/client";
import { findAdvertiserByToken, getCampaign, hashToken, listBilledDays } from "@adclick/db/queries";
import {
  type AdvertiserScope,
  advertiserScope,
  withAdvertiserScope,
  withTokenLookup,
} from "@adclick/db/scope";
import { DAY_MS, dayStartMs, isoDay } from "@adclick/shared";
import { readDaySeries, readWindowSeries } from "@adclick/shared/live-counters";
import type { LiveSource } from "../live/live-source";
import { parseStatsParams, type StatsParams } from "./stats-params";

/** One point of the reporting API (C10). */
export interface StatsPoint {
  window: string;
  clicks: number;
  unique_users: number;
  cost_micros: number;
}

export interface StatsBody {
  campaign_id: string;
  granularity: "5m" | "day";
  points: StatsPoint[];
}

export interface StatsDeps {
  db: Database;
  live: LiveSource;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });

function bearer(req: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return m ? m[1]! : null;
}

/**
 * `GET /api/v1/stats?campaign_id&from&to&granularity=5m|day` (C10). Points cover
 * every window (5m) or UTC day whose start lies in [from rounded down to its
 * window or day, to), zeros included. 401 without a valid token, 400 naming
 * the bad parameter, 404 for a campaign that is not the token's advertiser's.
 */
export async function handleStatsRequest(req: Request, deps: StatsDeps): Promise<Response> {
  const token = bearer(req);
  // Under the web role the token's row is visible only to a lookup that names its hash.
  const owner = token
    ? await withTokenLookup(deps.db, hashToken(token), (tx) => findAdvertiserByToken(tx, token))
    : null;
  if (!owner)
    return json(
      401,
      {
        error:
          "a valid reporting token is required: Authorization: Bearer <token from adclick advertiser token --id ID>",
      },
      { "www-authenticate": 'Bearer realm="adclick-stats"' },
    );
  const parsed = parseStatsParams(new URL(req.url).searchParams);
  if (!parsed.ok) return json(400, { error: parsed.message, parameter: parsed.parameter });
  const scope = advertiserScope(owner.advertiserId);
  const body = await statsFor(deps, scope, parsed.params);
  if (!body) return json(404, { error: `campaign ${parsed.params.campaign_id} not found` });
  return json(200, body);
}

async function statsFor(
  deps: StatsDeps,
  scope: AdvertiserScope,
  p: StatsParams,
): Promise<StatsBody | null> {
  if (p.granularity === "5m") {
    const own = await withAdvertiserScope(deps.db, scope, (tx) =>
      getCampaign(tx, scope, p.campaign_id),
    );
    if (!own) return null;
    const windows = await readWindowSeries(deps.live.redis, p.campaign_id, {
      fromMs: p.from,
      toMs: p.to,
    });
    return {
      campaign_id: p.campaign_id,
      granularity: "5m",
      points: windows.map((w) => point(w.windowStartMs, w)),
    };
  }
  const days: number[] = [];
  for (let d = dayStartMs(p.from); d < p.to; d += DAY_MS) days.push(d);
  const billed = await withAdvertiserScope(deps.db, scope, async (tx) => {
    if (!(await getCampaign(tx, scope, p.campaign_id))) return null;
    return listBilledDays(tx, scope, p.campaign_id, isoDay(days[0]!), isoDay(days.at(-1)!));
  });
  if (billed === null) return null;
  const billedByDay = new Map(billed.map((b) => [b.day, b]));
  const live = await readDaySeries(
    deps.live.redis,
    p.campaign_id,
    days.filter((d) => !billedByDay.has(isoDay(d))),
  );
  const liveByDay = new Map(live.map((l) => [l.dayStartMs, l]));
  return {
    campaign_id: p.campaign_id,
    granularity: "day",
    points: days.map((d) => {
      const b = billedByDay.get(isoDay(d));
      return point(d, b ?? liveByDay.get(d) ?? { clicks: 0, uniqueUsers: 0, costMicros: 0 });
    }),
  };
}

function point(
  startMs: number,
  c: { clicks: number; uniqueUsers: number; costMicros: number },
): StatsPoint {
  return {
    window: new Date(startMs).toISOString(),
    clicks: c.clicks,
    unique_users: c.uniqueUsers,
    cost_micros: c.costMicros,
  };
}
