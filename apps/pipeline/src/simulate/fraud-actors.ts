/**
 * Labelled invalid traffic for the simulator, and the humans who click a lot
 * (valid traffic that must not be flagged). Each actor is a small stateful
 * source of clicks with its own rhythm; `generateActorEvents` lays them all
 * out in send order for a run of known length and `mergeBySendTime` weaves
 * them into the ordinary traffic of `generateTraffic`. Seeded and pure.
 *
 * - `click-farm`  one residential IP, a room of 15-40 workers (their own user
 *                 ids and real browsers), clicking many campaigns
 * - `click-spam`  bursts: one user firing 10-30 clicks at one ad within seconds
 * - `ua-rotator`  one IP, a fresh user agent (and often a fresh cookie) per click
 * - `slow-bot`    one IP, one user, one browser, one click every 20-120 s like clockwork
 * - `dc-bot`      data-centre addresses, real browsers, cookie cleared on every click
 * - `heavy-human` a real person who clicks a lot: sessions of irregular clicks
 *                 with long breaks (valid)
 */
import { DATA_CENTRE_CIDRS, type Device } from "@adclick/shared";
import {
  BROWSER_USER_AGENTS,
  createRandom,
  generateTraffic,
  type Pattern,
  type SimCampaign,
  type SimClickBody,
  type SimEvent,
  type TrafficOptions,
} from "./generate-traffic";

export type ActorPattern =
  | "click-farm"
  | "click-spam"
  | "ua-rotator"
  | "slow-bot"
  | "dc-bot"
  | "heavy-human";

/** How many of each actor a run has (per hour of traffic for bursts). */
export interface ActorMix {
  clickFarms: number;
  spamBurstsPerHour: number;
  uaRotators: number;
  slowBots: number;
  dcBots: number;
  heavyHumans: number;
}

/** No actors: the ordinary feed of `generateTraffic` alone. */
export const NO_ACTORS: ActorMix = {
  clickFarms: 0,
  spamBurstsPerHour: 0,
  uaRotators: 0,
  slowBots: 0,
  dcBots: 0,
  heavyHumans: 0,
};

/** A day with every kind of labelled fraud and a crowd of heavy humans. */
export const LABELLED_FRAUD_ACTORS: ActorMix = {
  clickFarms: 3,
  spamBurstsPerHour: 12,
  uaRotators: 4,
  slowBots: 8,
  dcBots: 5,
  heavyHumans: 40,
};

/** Invalid traffic: what an advertiser must not pay for. Everything else is valid. */
const FRAUD_PATTERNS: ReadonlySet<Pattern> = new Set<Pattern>([
  "crawler",
  "flood-ip",
  "data-centre",
  "blocklisted",
  "click-farm",
  "click-spam",
  "ua-rotator",
  "slow-bot",
  "dc-bot",
]);

/** The true label of a simulated click's pattern (a resent copy is labelled as its original). */
export function isFraudPattern(pattern: Pattern): boolean {
  return FRAUD_PATTERNS.has(pattern);
}

/** User agents a sloppy bot rotates through besides real ones: odd, truncated or ancient. */
export const ODD_USER_AGENTS: readonly string[] = [
  "Mozilla/5.0 (Windows NT 6.1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2228.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 5.1; rv:31.0) Gecko/20100101 Firefox/31.0",
  "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
  "Mozilla/5.0",
  "Opera/9.80 (Windows NT 6.0) Presto/2.12.388 Version/12.14",
];

const ACTOR_COUNTRIES = ["US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "MX", "ES", "NG"];
/** Residential first octets, none in a data-centre range (as in generate-traffic). */
const RESIDENTIAL = [24, 49, 61, 71, 76, 81, 86, 90, 93, 98, 112, 122, 151, 188, 212, 217];

export interface ActorOptions {
  startMs: number;
  durationSec: number;
  campaigns: readonly SimCampaign[];
  partnerIds: readonly string[];
  actors: ActorMix;
}

type Rand = () => number;

function pick<T>(random: Rand, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function residentialIp(random: Rand): string {
  return `${pick(random, RESIDENTIAL)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

function dataCentreIp(random: Rand): string {
  const v4 = Object.values(DATA_CENTRE_CIDRS)
    .flat()
    .filter((c) => !c.includes(":"));
  const [base = "", bits = "32"] = pick(random, v4).split("/");
  const start = base.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const n = start + 1 + Math.floor(random() * Math.max(1, size - 2));
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

function browser(random: Rand): { ua: string; device: Device } {
  return pick(random, BROWSER_USER_AGENTS);
}

/** Log-normal with the given median (same unit) and shape. */
function logNormal(random: Rand, median: number, sigma: number): number {
  const u = Math.max(1e-12, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}

/**
 * Every actor click of the run, sorted by send time. Actor clicks are sent
 * on time (no lateness) and never resent.
 */
export function generateActorEvents(seed: number, o: ActorOptions): SimEvent[] {
  if (!(o.durationSec > 0)) throw new Error("actors need a run of known length (durationSec > 0)");
  const random = createRandom((seed ^ 0x5eed_f00d) >>> 0);
  const endMs = o.startMs + o.durationSec * 1000;
  const events: SimEvent[] = [];
  let seq = 0;
  const emit = (
    pattern: ActorPattern,
    atMs: number,
    c: { userId: string; ip: string; ua: string; device: Device; country: string },
    campaign: SimCampaign = pick(random, o.campaigns),
  ) => {
    if (atMs < o.startMs || atMs >= endMs) return;
    const ts = Math.round(atMs);
    const body: SimClickBody = {
      event_id: `sim-${seed}-a${++seq}`,
      campaign_id: campaign.id,
      ad_id: `${campaign.id}-ad${1 + Math.floor(random() * 3)}`,
      user_id: c.userId,
      ip: c.ip,
      user_agent: c.ua,
      ts,
      country: c.country,
      device: c.device,
      publisher_id: `pub-${1 + Math.floor(random() * 8)}`,
    };
    events.push({
      sendAtMs: ts,
      partnerId: pick(random, o.partnerIds),
      pattern,
      device: c.device,
      body,
    });
  };
  const a = o.actors;

  for (let f = 0; f < a.clickFarms; f++) {
    const ip = residentialIp(random);
    const country = pick(random, ACTOR_COUNTRIES);
    const workers = Array.from({ length: 15 + Math.floor(random() * 26) }, (_, w) => ({
      userId: `sim-farm${seed}-${f}-${w}`,
      ip,
      country,
      ...browser(random),
    }));
    const meanGapMs = 4000 + random() * 6000;
    for (
      let t = o.startMs + random() * meanGapMs;
      t < endMs;
      t += -Math.log(1 - random()) * meanGapMs
    )
      emit("click-farm", t, pick(random, workers));
  }

  const bursts = Math.round((a.spamBurstsPerHour * o.durationSec) / 3600);
  for (let b = 0; b < bursts; b++) {
    const who = {
      userId: `sim-spam${seed}-${b}`,
      ip: residentialIp(random),
      country: pick(random, ACTOR_COUNTRIES),
      ...browser(random),
    };
    const campaign = pick(random, o.campaigns);
    let t = o.startMs + random() * o.durationSec * 1000;
    const n = 10 + Math.floor(random() * 21);
    for (let k = 0; k < n; k++, t += 80 + random() * 500) emit("click-spam", t, who, campaign);
  }

  for (let r = 0; r < a.uaRotators; r++) {
    const ip = residentialIp(random);
    const country = pick(random, ACTOR_COUNTRIES);
    const meanGapMs = 10_000 + random() * 20_000;
    let userId = `sim-rot${seed}-${r}-0`;
    for (
      let t = o.startMs + random() * meanGapMs, k = 0;
      t < endMs;
      t += meanGapMs * (0.5 + random()), k++
    ) {
      if (random() < 0.6) userId = `sim-rot${seed}-${r}-${k}`;
      const b =
        random() < 0.25
          ? { ua: pick(random, ODD_USER_AGENTS), device: "other" as Device }
          : browser(random);
      emit("ua-rotator", t, { userId, ip, country, ...b });
    }
  }

  for (let s = 0; s < a.slowBots; s++) {
    const who = {
      userId: `sim-slow${seed}-${s}`,
      ip: residentialIp(random),
      country: pick(random, ACTOR_COUNTRIES),
      ...browser(random),
    };
    const periodMs = 20_000 + random() * 100_000;
    for (
      let t = o.startMs + random() * periodMs;
      t < endMs;
      t += periodMs * (0.97 + random() * 0.06)
    )
      emit("slow-bot", t, who);
  }

  for (let d = 0; d < a.dcBots; d++) {
    const ip = dataCentreIp(random);
    const meanGapMs = 20_000 + random() * 40_000;
    const b = browser(random);
    for (
      let t = o.startMs + random() * meanGapMs, k = 0;
      t < endMs;
      t += -Math.log(1 - random()) * meanGapMs, k++
    )
      emit("dc-bot", t, { userId: `sim-dc${seed}-${d}-${k}`, ip, country: "US", ...b });
  }

  for (let h = 0; h < a.heavyHumans; h++) {
    const who = {
      userId: `sim-heavy${seed}-${h}`,
      ip: residentialIp(random),
      country: pick(random, ACTOR_COUNTRIES),
      ...browser(random),
    };
    let t = o.startMs + random() * 30 * 60_000;
    while (t < endMs) {
      const clicks = 5 + Math.floor(random() * 40);
      for (let k = 0; k < clicks && t < endMs; k++) {
        emit("heavy-human", t, who);
        t += Math.max(1500, logNormal(random, 15_000, 1.1));
      }
      t += 5 * 60_000 + random() * 55 * 60_000; // a break between sessions
    }
  }

  events.sort((x, y) => x.sendAtMs - y.sendAtMs);
  return events;
}

/** Merges two send-ordered streams into one, in send order (ties: the first stream first). */
export function* mergeBySendTime(
  first: Iterable<SimEvent>,
  second: readonly SimEvent[],
): Generator<SimEvent> {
  let j = 0;
  for (const e of first) {
    while (j < second.length && second[j]!.sendAtMs < e.sendAtMs) yield second[j++]!;
    yield e;
  }
  while (j < second.length) yield second[j++]!;
}

/**
 * The ordinary feed of `generateTraffic` with the actors of `actors` woven in:
 * a labelled run (see `isFraudPattern`). Needs `durationSec > 0`.
 */
export function generateLabelledTraffic(
  seed: number,
  options: TrafficOptions,
  actors: ActorMix = LABELLED_FRAUD_ACTORS,
): Generator<SimEvent> {
  const actorEvents = generateActorEvents(seed, { ...options, actors });
  return mergeBySendTime(generateTraffic(seed, options), actorEvents);
}
