import { BloomFilter } from "./bloom-filter";
import { IpRangeSet, normaliseIp, parseCidr } from "./ip";

export type BlocklistKind = "ip" | "cidr" | "user_agent";
export interface BlocklistEntry {
  kind: BlocklistKind;
  value: string;
}

export type BlocklistHit = "blocklist_ip" | "blocklist_cidr" | "blocklist_user_agent";

/**
 * Matches clicks against the active blocklist:
 * - `ip`: exact address (canonical form), a Bloom filter answers "definitely
 *   not" for almost every click, a hit is confirmed against the exact set;
 * - `cidr`: exact range check (binary search over merged ranges);
 * - `user_agent`: case-insensitive substring of the click's user agent
 *   (`curl/`, `python-requests`, or a whole user-agent string).
 * Entries that do not parse are skipped and listed in `invalid`.
 */
export class BlocklistMatcher {
  private readonly bloom: BloomFilter;
  private readonly ips: Set<string>;
  private readonly ranges: IpRangeSet;
  private readonly userAgents: RegExp | null;
  readonly invalid: BlocklistEntry[] = [];
  readonly size: number;

  constructor(entries: readonly BlocklistEntry[] = []) {
    const ips = entries.filter((e) => e.kind === "ip").map((e) => normaliseIp(e.value.trim()));
    this.ips = new Set(ips);
    this.bloom = new BloomFilter(Math.max(ips.length, 16), 0.001);
    for (const ip of this.ips) this.bloom.add(ip);
    const ranges = [];
    for (const e of entries.filter((x) => x.kind === "cidr")) {
      try {
        ranges.push(parseCidr(e.value));
      } catch {
        this.invalid.push(e);
      }
    }
    this.ranges = new IpRangeSet(ranges);
    const patterns = entries
      .filter((e) => e.kind === "user_agent")
      .map((e) => e.value.trim())
      .filter((p) => p.length > 0)
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.userAgents = patterns.length ? new RegExp(patterns.join("|"), "i") : null;
    this.size = entries.length - this.invalid.length;
  }

  /** The first rule that blocks this click, or null; a missing (null) field matches nothing. */
  match(ip: string | null, userAgent: string | null): BlocklistHit | null {
    if (ip !== null && this.ips.size > 0) {
      const canonical = normaliseIp(ip);
      if (this.bloom.mightContain(canonical) && this.ips.has(canonical)) return "blocklist_ip";
    }
    if (ip !== null && this.ranges.size > 0 && this.ranges.has(ip)) return "blocklist_cidr";
    if (userAgent !== null && this.userAgents?.test(userAgent)) return "blocklist_user_agent";
    return null;
  }
}

export const EMPTY_BLOCKLIST = new BlocklistMatcher([]);
