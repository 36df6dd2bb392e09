import { isbot } from "isbot";

/** The bot list's version in verdicts: isbot's major release (its list ships with it). */
export const BOT_LIST_VERSION = "isbot-5";

const CACHE_LIMIT = 10_000;
const cache = new Map<string, boolean>();

/**
 * True for a user agent on isbot's maintained list of bots, crawlers, spiders,
 * HTTP libraries and headless browsers (general invalid traffic, C8). User
 * agents repeat heavily, so answers are memoised (bounded).
 */
export function isDeclaredBot(userAgent: string): boolean {
  const known = cache.get(userAgent);
  if (known !== undefined) return known;
  const answer = isbot(userAgent);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(userAgent, answer);
  return answer;
}
