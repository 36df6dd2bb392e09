/**
 * Seeded, pure traffic generator for the simulator and for tests that need
 * realistic clicks without HTTP (aggregator, batch, benchmarks). The same seed
 * and options always give the same events.
 *
 * Shape of the traffic: a fixed arrival rate; campaigns Zipf-distributed; a
 * pool of users, each with one browser (real user agents), device, country and
 * IP; countries weighted by their local time of day (the daily rhythm); and the
 * patterns a real feed has, each event labelled with the one it came from:
 *
 * - `normal`          an ordinary click
 * - `retry-duplicate` a partner resending an event id it already sent (counts once)
 * - `late`            a click arriving 6-45 min after its event time (an earlier window)
 * - `out-of-order`    a click 1-30 s older than clicks sent before it
 * - `crawler`         a declared bot user agent (C8: fraud)
 * - `flood-ip`        one IP sending more than 100 clicks a minute to the most popular
 *                     campaign (C8 signal: the clicks beyond the 100th of a minute are suspicious)
 * - `data-centre`     a click from a data-centre address (C8 signal; off by default)
 * - `blocklisted`     a click from `BLOCKLISTED_IP` (fraud once that IP is on the blocklist;
 *                     off by default)
 *
 * The labelled invalid traffic of fraud-actors.ts (click farms, bursts, bots
 * rotating user agents, slow bots, data-centre bots) and heavy humans join
 * through `generateLabelledTraffic`; `isFraudPattern` gives each click's true label.
 *
 * Ordinary users' addresses lie outside every data-centre range, so a click's
 * pattern alone tells which rules it meets (test oracles rely on that).
 */
import type { Device } from "@adclick/shared";
import type { ActorPattern } from "./fraud-actors";

export type Pattern =
  | "normal"
  | "retry-duplicate"
  | "late"
  | "out-of-order"
  | "crawler"
  | "flood-ip"
  | "data-centre"
  | "blocklisted"
  | ActorPattern;
export const PATTERNS: readonly Pattern[] = [
  "normal",
  "retry-duplicate",
  "late",
  "out-of-order",
  "crawler",
  "flood-ip",
  "data-centre",
  "blocklisted",
  "click-farm",
  "click-spam",
  "ua-rotator",
  "slow-bot",
  "dc-bot",
  "heavy-human",
];

export interface SimCampaign {
  id: string;
  cpcMicros: number;
}

export interface TrafficOptions {
  /** Wall-clock start of the run, epoch ms; event times follow it. */
  startMs: number;
  /** Seconds of traffic; 0 = endless (the caller stops iterating). */
  durationSec: number;
  /** Requests' events per second, retries included. */
  ratePerSec: number;
  campaigns: readonly SimCampaign[];
  partnerIds: readonly string[];
  /** Size of the user pool. */
  users?: number;
  /** Zipf exponent for campaign popularity. */
  zipfS?: number;
  /** Shares of the arrival rate, and the flooding IP's clicks per minute (0 to turn off). */
  mix?: Partial<TrafficMix>;
}

export interface TrafficMix {
  retry: number;
  late: number;
  outOfOrder: number;
  crawler: number;
  floodPerMinute: number;
  dataCentre: number;
  blocklisted: number;
}

export const DEFAULT_MIX: TrafficMix = {
  retry: 0.02,
  late: 0.02,
  outOfOrder: 0.03,
  crawler: 0.01,
  floodPerMinute: 150,
  dataCentre: 0,
  blocklisted: 0,
};

/** A click as the partner sends it (ts in epoch ms). */
export interface SimClickBody {
  event_id: string;
  campaign_id: string;
  ad_id: string;
  user_id: string;
  ip: string;
  user_agent: string;
  ts: number;
  country: string;
  device?: Device;
  publisher_id: string;
}

export interface SimEvent {
  /** When to send it, epoch ms (startMs + offset). */
  sendAtMs: number;
  partnerId: string;
  pattern: Pattern;
  /** For a `retry-duplicate`, the pattern of the event it resends (its true label). */
  resends?: Pattern;
  /** The device the ingest will record (sent or derived from the user agent). */
  device: Device;
  body: SimClickBody;
}

/** sfc32: small, fast, good enough for traffic, and the same in every JS engine. */
export function createRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  return next;
}

/** Real browser user agents with the device bowser derives from each. */
export const BROWSER_USER_AGENTS: ReadonlyArray<{ ua: string; device: Device; weight: number }> = [
  {
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    device: "desktop",
    weight: 22,
  },
  {
    ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    device: "desktop",
    weight: 8,
  },
  {
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    device: "desktop",
    weight: 5,
  },
  {
    ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
    device: "desktop",
    weight: 5,
  },
  {
    ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    device: "desktop",
    weight: 2,
  },
  {
    ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    device: "mobile",
    weight: 20,
  },
  {
    ua: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    device: "mobile",
    weight: 10,
  },
  {
    ua: "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    device: "mobile",
    weight: 10,
  },
  {
    ua: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
    device: "mobile",
    weight: 4,
  },
  {
    ua: "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    device: "tablet",
    weight: 5,
  },
  {
    ua: "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    device: "tablet",
    weight: 2,
  },
  {
    ua: "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/5.0 Chrome/94.0.4606.31 TV Safari/537.36",
    device: "other",
    weight: 1,
  },
];

/** Declared crawlers (on every maintained bot list). */
export const CRAWLER_USER_AGENTS: readonly string[] = [
  "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
  "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
  "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
  "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
];

/** Countries with traffic weight and UTC offset (hours) for the daily rhythm. */
const COUNTRIES: ReadonlyArray<{ code: string; weight: number; utcOffset: number }> = [
  { code: "US", weight: 30, utcOffset: -6 },
  { code: "GB", weight: 8, utcOffset: 0 },
  { code: "DE", weight: 8, utcOffset: 1 },
  { code: "FR", weight: 6, utcOffset: 1 },
  { code: "IN", weight: 12, utcOffset: 5.5 },
  { code: "BR", weight: 7, utcOffset: -3 },
  { code: "JP", weight: 7, utcOffset: 9 },
  { code: "CA", weight: 5, utcOffset: -5 },
  { code: "AU", weight: 4, utcOffset: 10 },
  { code: "MX", weight: 4, utcOffset: -6 },
  { code: "ES", weight: 4, utcOffset: 1 },
  { code: "NG", weight: 5, utcOffset: 1 },
];

/** Activity by local hour: low at night, peaks around 13:00 and 21:00. */
export function dailyActivity(localHour: number): number {
  const h = ((localHour % 24) + 24) % 24;
  return 0.15 + 0.55 * Math.exp(-((h - 13) ** 2) / 18) + 0.45 * Math.exp(-((h - 21) ** 2) / 8);
}

/** The flooding IP (a data-centre-like address) used by the `flood-ip` pattern. */
export const FLOOD_IP = "45.155.205.233";
/** The address of the `blocklisted` pattern (TEST-NET-3). */
export const BLOCKLISTED_IP = "203.0.113.66";
/** The `data-centre` pattern's addresses lie in this Google Cloud range. */
export const DATA_CENTRE_PREFIX = "34.64.";

interface SimUser {
  id: string;
  ua: string;
  device: Device;
  sendDevice: boolean;
  ip: string;
  countryIndex: number;
}

function pickWeighted(random: () => number, cumulative: readonly number[]): number {
  const x = random() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function cumulate(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}

/**
 * First octets of consumer-ISP address space that no data-centre range of
 * `DATA_CENTRE_CIDRS` touches, nor the documentation or private ranges.
 */
const RESIDENTIAL_FIRST_OCTETS = [
  24, 49, 61, 71, 76, 81, 86, 90, 93, 98, 112, 122, 151, 188, 212, 217,
];

function publicIp(random: () => number): string {
  const a = RESIDENTIAL_FIRST_OCTETS[Math.floor(random() * RESIDENTIAL_FIRST_OCTETS.length)]!;
  return `${a}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

/**
 * Yields the run's events in send order. Endless when durationSec is 0.
 * Retries of an event come 1-10 s after the original, with the same body.
 */
export function* generateTraffic(seed: number, options: TrafficOptions): Generator<SimEvent> {
  if (options.campaigns.length === 0)
    throw new Error("generateTraffic: at least one campaign is needed");
  if (options.partnerIds.length === 0)
    throw new Error("generateTraffic: at least one partner is needed");
  if (!(options.ratePerSec > 0)) throw new Error("generateTraffic: ratePerSec must be positive");
  const random = createRandom(seed);
  const mix: TrafficMix = { ...DEFAULT_MIX, ...options.mix };
  const zipfS = options.zipfS ?? 1.1;
  const campaignCdf = cumulate(options.campaigns.map((_, k) => 1 / (k + 1) ** zipfS));
  const uaCdf = cumulate(BROWSER_USER_AGENTS.map((u) => u.weight));
  const userCount = options.users ?? 5000;
  const users: SimUser[] = [];
  for (let i = 0; i < userCount; i++) {
    const browser = BROWSER_USER_AGENTS[pickWeighted(random, uaCdf)]!;
    users.push({
      id: `sim-u${seed}-${i}`,
      ua: browser.ua,
      device: browser.device,
      sendDevice: random() < 0.5,
      ip: publicIp(random),
      countryIndex: 0,
    });
  }
  const usersByCountry: SimUser[][] = COUNTRIES.map(() => []);
  users.forEach((u, i) => {
    u.countryIndex = i % COUNTRIES.length;
    usersByCountry[u.countryIndex]!.push(u);
  });

  const intervalMs = 1000 / options.ratePerSec;
  const floodEvery =
    mix.floodPerMinute > 0
      ? Math.max(1, Math.round((options.ratePerSec * 60) / mix.floodPerMinute))
      : 0;
  const retries: SimEvent[] = [];
  let seq = 0;
  let lastHour = -1;
  let countryCdf: number[] = [];

  for (let i = 0; options.durationSec === 0 || i * intervalMs < options.durationSec * 1000; i++) {
    const sendAtMs = Math.round(options.startMs + i * intervalMs);
    if (retries.length > 0 && retries[0]!.sendAtMs <= sendAtMs) {
      yield retries.shift()!;
      continue;
    }
    const hour = new Date(sendAtMs).getUTCHours();
    if (hour !== lastHour) {
      lastHour = hour;
      countryCdf = cumulate(COUNTRIES.map((c) => c.weight * dailyActivity(hour + c.utcOffset)));
    }
    let campaign = options.campaigns[pickWeighted(random, campaignCdf)]!;
    const partnerId = options.partnerIds[Math.floor(random() * options.partnerIds.length)]!;
    const countryIndex = pickWeighted(random, countryCdf);
    const pool = usersByCountry[countryIndex]!;
    const user = pool[Math.floor(random() * pool.length)]!;
    seq++;
    let pattern: Pattern = "normal";
    let ts = sendAtMs;
    let ua = user.ua;
    let device = user.device;
    let ip = user.ip;
    let userId = user.id;
    const roll = random();
    if (floodEvery > 0 && seq % floodEvery === 0) {
      pattern = "flood-ip";
      campaign = options.campaigns[0]!;
      ip = FLOOD_IP;
      userId = `sim-flood${seed}-${seq % 40}`;
    } else if (roll < mix.crawler) {
      pattern = "crawler";
      ua = CRAWLER_USER_AGENTS[Math.floor(random() * CRAWLER_USER_AGENTS.length)]!;
      device = "other";
      userId = `sim-bot${seed}-${Math.floor(random() * 20)}`;
    } else if (roll < mix.crawler + mix.late) {
      pattern = "late";
      ts = sendAtMs - Math.round((6 + random() * 39) * 60_000);
    } else if (roll < mix.crawler + mix.late + mix.outOfOrder) {
      pattern = "out-of-order";
      ts = sendAtMs - Math.round((1 + random() * 29) * 1000);
    } else if (roll < mix.crawler + mix.late + mix.outOfOrder + mix.dataCentre) {
      pattern = "data-centre";
      ip = `${DATA_CENTRE_PREFIX}${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
    } else if (roll < mix.crawler + mix.late + mix.outOfOrder + mix.dataCentre + mix.blocklisted) {
      pattern = "blocklisted";
      ip = BLOCKLISTED_IP;
    }
    const sendDevice = pattern !== "crawler" && user.sendDevice;
    const body: SimClickBody = {
      event_id: `sim-${seed}-${seq}`,
      campaign_id: campaign.id,
      ad_id: `${campaign.id}-ad${1 + Math.floor(random() * 3)}`,
      user_id: userId,
      ip,
      user_agent: ua,
      ts,
      country: COUNTRIES[countryIndex]!.code,
      ...(sendDevice ? { device } : {}),
      publisher_id: `pub-${1 + Math.floor(random() * 8)}`,
    };
    const event: SimEvent = { sendAtMs, partnerId, pattern, device, body };
    if (random() < mix.retry) {
      retries.push({
        ...event,
        sendAtMs: sendAtMs + Math.round(1000 + random() * 9000),
        pattern: "retry-duplicate",
        resends: pattern,
      });
      retries.sort((a, b) => a.sendAtMs - b.sendAtMs);
    }
    yield event;
  }
}
