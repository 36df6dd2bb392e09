import type { Device } from "@adclick/shared";
import Bowser from "bowser";

/**
 * Device class from a user agent with bowser (MIT, maintained, already in the
 * tree through the AWS SDK; ua-parser-js 2.x is AGPL). Parsing costs ~20 µs, and
 * real traffic repeats a few thousand user agents, so results are memoised in a
 * small LRU.
 */
const MAX_ENTRIES = 10_000;
const cache = new Map<string, Device>();

export function deviceFromUserAgent(userAgent: string): Device {
  const hit = cache.get(userAgent);
  if (hit !== undefined) {
    // Refresh recency: Map iteration order is insertion order.
    cache.delete(userAgent);
    cache.set(userAgent, hit);
    return hit;
  }
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
