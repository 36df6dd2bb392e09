/**
 * Data-centre ranges, by provider. Written by `scripts/refresh-data-centres.ts`
 * from the providers' published range files (AWS ip-ranges.json, Google
 * cloud.json, Oracle public_ip_ranges.json, DigitalOcean, Linode geofeeds) and
 * committed: scoring never downloads anything. The first version is a short,
 * hand-picked list of each provider's largest long-lived allocations; run the
 * script to replace it with the full published lists.
 */
export interface DataCentreRanges {
  version: string;
  generatedAt: string | null;
  sources: readonly string[];
  providers: Readonly<Record<string, readonly string[]>>;
}

export const DATA_CENTRE_RANGES: DataCentreRanges = {
  version: "curated-1",
  generatedAt: null,
  sources: ["hand-picked large allocations of each provider"],
  providers: {
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
  },
};
