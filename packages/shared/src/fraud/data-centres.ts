import { DATA_CENTRE_RANGES } from "./data-centre-ranges";
import { type IpRange, IpRangeSet, parseCidr } from "./ip";

/**
 * Data-centre (cloud and hosting) ranges: a signal, not a verdict. A hit adds
 * risk (suspicious), never fraud on its own. The list lives in
 * data-centre-ranges.ts, refreshed by a script from the providers' published
 * files; pass your own list into `ScoringContext.dataCentres` to override it.
 */
export const DATA_CENTRE_CIDRS: Readonly<Record<string, readonly string[]>> =
  DATA_CENTRE_RANGES.providers;

export class DataCentreMatcher {
  private readonly ranges: IpRangeSet;

  constructor(
    cidrs: readonly string[] = Object.values(DATA_CENTRE_CIDRS).flat(),
    /** The list's version, recorded in every verdict. */
    readonly version: string = DATA_CENTRE_RANGES.version,
  ) {
    const ranges: IpRange[] = cidrs.map((c) => parseCidr(c));
    this.ranges = new IpRangeSet(ranges);
  }

  private readonly cache = new Map<string, boolean>();

  /** Whether the address lies in a listed range; answers are memoised (bounded), since addresses repeat. */
  has(ip: string): boolean {
    const known = this.cache.get(ip);
    if (known !== undefined) return known;
    const answer = this.ranges.has(ip);
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(ip, answer);
    return answer;
  }
}

export const DEFAULT_DATA_CENTRES = new DataCentreMatcher();
