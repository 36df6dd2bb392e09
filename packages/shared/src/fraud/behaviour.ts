/**
 * Behavioural features of a click: what its IP and its user did just before.
 * One implementation for the stream (each aggregator replica feeds it the
 * clicks it scores, in arrival order) and the batch (the day's clicks in
 * event-time order), so both score a click from the same arithmetic.
 *
 * State is bounded: per IP the last `HISTORY` clicks, per user the last
 * `HISTORY` click times, and at most `maxKeys` IPs and users each (the least
 * recently seen are forgotten first).
 */

/** Clicks of history kept per IP and per user. */
export const HISTORY = 64;
/** Distinct campaigns, user agents and users per IP are counted over this span. */
export const DISTINCT_SPAN_MS = 10 * 60_000;
/** Inter-click gaps kept per user for burstiness. */
export const GAPS = 8;
/** A gap shorter than this is a "short" gap (machine speed). */
export const SHORT_GAP_MS = 2_000;

export interface BehaviourFeatures {
  /** Clicks from the IP in the 60 s up to this one, this one included (at most HISTORY). */
  ipClicksPerMinute: number;
  /** The same for the user. */
  userClicksPerMinute: number;
  /** Distinct campaigns, user agents and users of the IP's clicks over the last 10 minutes. */
  ipDistinctCampaigns: number;
  ipDistinctUserAgents: number;
  ipDistinctUsers: number;
  /** Seconds since the user's previous click; null for the user's first click seen. */
  secondsSinceUserPrevious: number | null;
  /** Coefficient of variation of the user's last gaps (null below 3 gaps): near 0 is clockwork. */
  userGapCv: number | null;
  /** Share of the user's last gaps shorter than SHORT_GAP_MS (0 without gaps). */
  userShortGapShare: number;
}

/** The fields of a click the tracker reads (a missing IP or user agent is null). */
export interface BehaviourClick {
  ip: string | null;
  user_id: string;
  user_agent: string | null;
  campaign_id: string;
  ts: number;
}

/**
 * An IP's recent clicks, oldest first, with running counts of the campaigns,
 * user agents and users among them: distinct counts are map sizes, O(1) per
 * click. Entries leave when more than HISTORY are kept or when they are
 * DISTINCT_SPAN_MS older than the IP's newest click.
 */
interface IpEntry {
  ts: number[];
  campaigns: string[];
  userAgents: string[];
  users: string[];
  campaignCounts: Map<string, number>;
  userAgentCounts: Map<string, number>;
  userCounts: Map<string, number>;
  newestTs: number;
}

interface UserEntry {
  ts: number[];
  gaps: number[];
}

export class BehaviourTracker {
  private readonly ips = new Map<string, IpEntry>();
  private readonly users = new Map<string, UserEntry>();

  constructor(private readonly maxKeys = 200_000) {}

  /** Records the click and returns its features (history before it, plus itself). */
  observe(click: BehaviourClick): BehaviourFeatures {
    const t = click.ts;
    const ua = click.user_agent ?? "";
    let ipPerMinute = 0;
    let campaigns = 0;
    let userAgents = 0;
    let ipUsers = 0;
    if (click.ip) {
      const e = touch(this.ips, click.ip, this.maxKeys, newIpEntry);
      e.ts.push(t);
      e.campaigns.push(click.campaign_id);
      e.userAgents.push(ua);
      e.users.push(click.user_id);
      increment(e.campaignCounts, click.campaign_id);
      increment(e.userAgentCounts, ua);
      increment(e.userCounts, click.user_id);
      if (t > e.newestTs) e.newestTs = t;
      while (e.ts.length > HISTORY || e.newestTs - e.ts[0]! >= DISTINCT_SPAN_MS) {
        e.ts.shift();
        decrement(e.campaignCounts, e.campaigns.shift()!);
        decrement(e.userAgentCounts, e.userAgents.shift()!);
        decrement(e.userCounts, e.users.shift()!);
      }
      for (const x of e.ts) if (Math.abs(t - x) < 60_000) ipPerMinute++;
      campaigns = e.campaignCounts.size;
      userAgents = e.userAgentCounts.size;
      ipUsers = e.userCounts.size;
    }
    const ue = touch(this.users, click.user_id, this.maxKeys, () => ({ ts: [], gaps: [] }));
    const previous = ue.ts.length > 0 ? ue.ts[ue.ts.length - 1]! : null;
    if (previous !== null) {
      ue.gaps.push(Math.max(0, t - previous));
      if (ue.gaps.length > GAPS) ue.gaps.shift();
    }
    push(ue.ts, t);
    let userPerMinute = 0;
    for (const x of ue.ts) if (Math.abs(t - x) < 60_000) userPerMinute++;
    return {
      ipClicksPerMinute: ipPerMinute,
      userClicksPerMinute: userPerMinute,
      ipDistinctCampaigns: campaigns,
      ipDistinctUserAgents: userAgents,
      ipDistinctUsers: ipUsers,
      secondsSinceUserPrevious: previous === null ? null : Math.max(0, t - previous) / 1000,
      userGapCv: coefficientOfVariation(ue.gaps),
      userShortGapShare:
        ue.gaps.length === 0 ? 0 : ue.gaps.filter((g) => g < SHORT_GAP_MS).length / ue.gaps.length,
    };
  }

  get size(): { ips: number; users: number } {
    return { ips: this.ips.size, users: this.users.size };
  }
}

/** Features of a click seen alone (no history): what a tracker gives a first click. */
export function firstClickBehaviour(click: BehaviourClick): BehaviourFeatures {
  return new BehaviourTracker(1).observe(click);
}

function newIpEntry(): IpEntry {
  return {
    ts: [],
    campaigns: [],
    userAgents: [],
    users: [],
    campaignCounts: new Map(),
    userAgentCounts: new Map(),
    userCounts: new Map(),
    newestTs: Number.NEGATIVE_INFINITY,
  };
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

function push<T>(ring: T[], value: T): void {
  ring.push(value);
  if (ring.length > HISTORY) ring.shift();
}

/** Gets (and marks as most recently used) the entry of `key`, creating it; evicts the oldest past `max`. */
function touch<V>(map: Map<string, V>, key: string, max: number, create: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = create();
    if (map.size >= max) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  } else map.delete(key);
  map.set(key, v);
  return v;
}

/** Standard deviation over mean of the gaps; null below 3 gaps or when they sum to 0. */
export function coefficientOfVariation(gaps: readonly number[]): number | null {
  if (gaps.length < 3) return null;
  const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
  if (mean <= 0) return 0;
  const variance = gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length;
  return Math.sqrt(variance) / mean;
}
