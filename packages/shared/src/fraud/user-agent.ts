/**
 * User-agent sanity: does the string look like something a browser sends?
 * A standard check (general invalid traffic), independent of bot lists:
 * missing, too short to be a browser, no `Mozilla/` product token (every
 * current browser sends one), no rendering engine, or a browser version far
 * older than anyone still runs.
 */
export type UserAgentSanity = "ok" | "missing" | "malformed";

const ENGINE = /AppleWebKit\/|Gecko\/|Trident\/|Presto\//;
/** Major versions older than these are from before 2019 (nobody's browser today). */
const ANCIENT = [
  { re: /Chrome\/(\d+)/, min: 70 },
  { re: /Firefox\/(\d+)/, min: 60 },
  { re: /MSIE (\d+)/, min: 100 },
];

const cache = new Map<string, UserAgentSanity>();

/** The sanity of a user agent; memoised (bounded), since user agents repeat heavily. */
export function userAgentSanity(userAgent: string | null): UserAgentSanity {
  const key = userAgent ?? "";
  const known = cache.get(key);
  if (known !== undefined) return known;
  const answer = check(key);
  if (cache.size >= 10_000) cache.clear();
  cache.set(key, answer);
  return answer;
}

function check(userAgent: string): UserAgentSanity {
  const ua = userAgent.trim();
  if (!ua) return "missing";
  if (ua.length < 25 || !ua.startsWith("Mozilla/") || !ENGINE.test(ua)) return "malformed";
  for (const { re, min } of ANCIENT) {
    const m = re.exec(ua);
    if (m && Number(m[1]) < min) return "malformed";
  }
  return "ok";
}
