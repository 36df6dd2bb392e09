import { type IpRange, IpRangeSet, parseCidr } from "./ip";

/**
 * Major public-cloud and hosting ranges. No npm package ships a maintained list
 * of data-centre ranges, so this is a short in-repo list of large, long-lived
 * allocations of the biggest providers (from their published range files and
 * RIR allocations). It is a signal, not a verdict: a hit adds risk (suspicious),
 * never fraud on its own. Refresh it from the providers' published JSON
 * (AWS ip-ranges.json, Google cloud.json, Azure service tags) when it matters,
 * or pass your own list into `ScoringContext.dataCentres`.
 */
export const DATA_CENTRE_CIDRS: Readonly<Record<string, readonly string[]>> = {
  aws: [
    "3.0.0.0/9",
    "18.128.0.0/9",
    "52.0.0.0/11",
    "54.64.0.0/11",
    "54.144.0.0/12",
    "54.160.0.0/11",
    "2600:1f00::/24",
  ],
  google_cloud: [
    "34.64.0.0/10",
    "35.184.0.0/13",
    "35.192.0.0/12",
    "35.208.0.0/12",
    "35.224.0.0/12",
    "104.196.0.0/14",
    "130.211.0.0/16",
    "2600:1900::/28",
  ],
  azure: [
    "13.64.0.0/11",
    "20.36.0.0/14",
    "40.64.0.0/10",
    "52.224.0.0/11",
    "104.40.0.0/13",
    "2603:1000::/24",
  ],
  digitalocean: [
    "104.131.0.0/16",
    "138.68.0.0/16",
    "159.203.0.0/16",
    "167.99.0.0/16",
    "206.189.0.0/16",
  ],
  ovh: ["51.38.0.0/16", "51.68.0.0/16", "54.36.0.0/16", "147.135.0.0/16"],
  hetzner: ["5.9.0.0/16", "78.46.0.0/15", "88.198.0.0/16", "116.202.0.0/16"],
  linode: ["45.33.0.0/17", "139.162.0.0/16"],
};

export class DataCentreMatcher {
  private readonly ranges: IpRangeSet;

  constructor(cidrs: readonly string[] = Object.values(DATA_CENTRE_CIDRS).flat()) {
    const ranges: IpRange[] = cidrs.map((c) => parseCidr(c));
    this.ranges = new IpRangeSet(ranges);
  }

  has(ip: string): boolean {
    return this.ranges.has(ip);
  }
}

export const DEFAULT_DATA_CENTRES = new DataCentreMatcher();
