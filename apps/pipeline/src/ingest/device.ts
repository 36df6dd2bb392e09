import type { Device } from "@adclick/shared";
import Bowser from "bowser";

/**
 * Device class from a user agent with bowser (MIT, maintained, already in the
 * tree through the AWS SDK; ua-parser-js 2.x is AGPL). Parsing costs ~20 µs, and
 * real traffic repeats a few thousand user agents, so results are memoised in a
 * small cache (oldest entries evicted first).
 */
const MAX_ENTRIES = 10_000;
const cache = new Map<string, Device>();

export function deviceFromUserAgent(userAgent: string): Device {
  const hit = cache.get(userAgent);
  // No recency refresh on a hit (a delete + set per event): oldest-first eviction is enough here.
  if (hit !== undefined) return hit;
  const device = classify(userAgent);
  cache.set(userAgent, device);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return device;
}

function classify(userAgent: string): Device {
  if (!userAgent.trim()) return "other";
  try {
    const type = Bowser.getParser(userAgent, true).getPlatformType(true);
    return type === "mobile" || type === "tablet" || type === "desktop" ? type : "other";
  } catch {
    return "other";
  }
}
