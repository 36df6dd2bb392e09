/**
 * Test support: a deterministic click stream with known ground truth
 * (several campaigns, duplicates, late and out-of-order clicks, bots, a
 * blocklisted IP, data-centre traffic and an IP flood), and the counters it
 * must produce.
 */
import {
  type BlocklistEntry,
  BlocklistMatcher,
  type ClickRecord,
  minuteBucket,
  scoreClick,
  windowStartMs,
} from "@adclick/shared";
import { campaignDelta } from "./counter-deltas";

export const TEST_BLOCKLIST: BlocklistEntry[] = [{ kind: "ip", value: "203.0.113.66" }];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

export function generateStream(count: number, seed: number, nowMs = Date.now()): ClickRecord[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const base = windowStartMs(nowMs) - 30 * 60_000;
  const out: ClickRecord[] = [];
  const floodAt = Math.floor(count / 2);
  const floodMinute = base + 12 * 60_000;
  for (let i = 0; out.length < count; i++) {
    if (i === floodAt) {
      for (let f = 0; f < 150; f++) {
        out.push(
          click(
            `flood-${seed}-${f}`,
            "c1",
            "p1",
            `fu${f}`,
            "192.0.2.77",
            BROWSER,
            floodMinute + f * 300,
            "US",
            "mobile",
          ),
        );
      }
      continue;
    }
    const r = rnd();
    if (r < 0.02 && out.length > 10) {
      out.push({ ...out[Math.floor(rnd() * out.length)]!, received_at: nowMs }); // a duplicate
      continue;
    }
    let ts = base + Math.floor((out.length / count) * 28 * 60_000) + Math.floor(rnd() * 20_000);
    if (rnd() < 0.1) ts -= 10 * 60_000 + Math.floor(rnd() * 15 * 60_000); // late, out of order
    const ua =
      rnd() < 0.03
        ? "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        : BROWSER;
    const ipRoll = rnd();
    const ip =
      ipRoll < 0.01
        ? "203.0.113.66"
        : ipRoll < 0.04
          ? `34.64.1.${Math.floor(rnd() * 200)}`
          : `198.51.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 250)}`;
    out.push(
      click(
        `e-${seed}-${i}`,
        pick(["c1", "c2", "c3", "c4", "c5"]),
        pick(["p1", "p2"]),
        `u${Math.floor(rnd() * 400)}`,
        ip,
        ua,
        ts,
        pick(["US", "DE", null]),
        pick(["mobile", "desktop", "tablet"] as const),
      ),
    );
  }
  return out.slice(0, count);

  function click(
    id: string,
    campaign: string,
    partner: string,
    user: string,
    ip: string,
    ua: string,
    ts: number,
    country: string | null,
    device: ClickRecord["device"],
  ): ClickRecord {
    return {
      event_id: id,
      partner_id: partner,
      campaign_id: campaign,
      advertiser_id: `adv-${campaign}`,
      ad_id: `ad-${campaign}`,
      user_id: user,
      ip,
      user_agent: ua,
      ts,
      received_at: nowMs,
      country,
      device,
      publisher_id: null,
      referrer: null,
      cost_micros: campaign === "c1" ? 250_000 : 120_000,
    };
  }
}

export interface ExpectedCounter {
  clicks: number;
  cost_micros: number;
  suspicious: number;
  fraud: number;
  unique_users: number;
}

/**
 * The counters the stream must produce. Duplicates and per-minute volumes are
 * counted in production order, which equals each partition's order for
 * everything that matters here (a campaign lives in one partition; only the
 * single-campaign flood exceeds the volume limit).
 */
export function expectedCounters(
  clicks: readonly ClickRecord[],
  nowS = Date.now() / 1000,
): Map<string, ExpectedCounter> {
  const blocklist = new BlocklistMatcher(TEST_BLOCKLIST);
  const seen = new Set<string>();
  const perMinute = new Map<string, number>();
  const byCampaign = new Map<
    string,
    Array<{
      click: ClickRecord;
      offset: number;
      verdict: ReturnType<typeof scoreClick>["verdict"];
      risk: number;
      reasons: string[];
    }>
  >();
  clicks.forEach((click, offset) => {
    const dupKey = `${click.campaign_id}|${click.event_id}`;
    const isDuplicate = seen.has(dupKey);
    seen.add(dupKey);
    const m = minuteBucket(click.ts);
    const ipKey = `ip|${m}|${click.ip}`;
    const userKey = `user|${m}|${click.user_id}`;
    perMinute.set(ipKey, (perMinute.get(ipKey) ?? 0) + 1);
    perMinute.set(userKey, (perMinute.get(userKey) ?? 0) + 1);
    const s = scoreClick(
      click,
      {
        ipClicksInMinute: perMinute.get(ipKey)!,
        userClicksInMinute: perMinute.get(userKey)!,
        isDuplicate,
      },
      { blocklist },
    );
    let list = byCampaign.get(click.campaign_id);
    if (!list) {
      list = [];
      byCampaign.set(click.campaign_id, list);
    }
    list.push({ click, offset, ...s });
  });
  const out = new Map<string, ExpectedCounter>();
  for (const [campaign, list] of byCampaign) {
    for (const d of campaignDelta(campaign, list, nowS).counters.values()) {
      out.set(d.counterKey, {
        clicks: d.clicks,
        cost_micros: d.costMicros,
        suspicious: d.suspicious,
        fraud: d.fraud,
        unique_users: d.users.size,
      });
    }
  }
  return out;
}
