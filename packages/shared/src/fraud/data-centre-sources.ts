/**
 * The providers' published range files and how to read each (pure parsers;
 * `scripts/refresh-data-centres.ts` downloads them and rewrites
 * data-centre-ranges.ts). Scoring never reads these at run time.
 */
import { parseCidr } from "./ip";

export interface DataCentreSource {
  provider: string;
  url: string;
  parse(text: string): string[];
}

function json(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

function records(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}

/** Lines of a geofeed (RFC 8805: `prefix,country,region,city,postal`). */
function geofeed(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => l.split(",")[0]!.trim());
}

export const DATA_CENTRE_SOURCES: readonly DataCentreSource[] = [
  {
    provider: "aws",
    url: "https://ip-ranges.amazonaws.com/ip-ranges.json",
    parse: (text) => {
      const d = json(text);
      return [
        ...records(d.prefixes).map((p) => String(p.ip_prefix)),
        ...records(d.ipv6_prefixes).map((p) => String(p.ipv6_prefix)),
      ];
    },
  },
  {
    provider: "google_cloud",
    url: "https://www.gstatic.com/ipranges/cloud.json",
    parse: (text) => records(json(text).prefixes).map((p) => String(p.ipv4Prefix ?? p.ipv6Prefix)),
  },
  {
    provider: "oracle_cloud",
    url: "https://docs.oracle.com/iaas/tools/public_ip_ranges.json",
    parse: (text) =>
      records(json(text).regions).flatMap((r) => records(r.cidrs).map((c) => String(c.cidr))),
  },
  { provider: "digitalocean", url: "https://digitalocean.com/geo/google.csv", parse: geofeed },
  { provider: "linode", url: "https://geoip.linode.com/", parse: geofeed },
];

/** Valid, distinct CIDRs of a provider's list, sorted (so a refresh diffs cleanly). */
export function cleanCidrs(cidrs: readonly string[]): string[] {
  const valid = new Set<string>();
  for (const c of cidrs) {
    const cidr = c.includes("/") ? c : `${c}/${c.includes(":") ? 128 : 32}`;
    try {
      parseCidr(cidr);
      valid.add(cidr);
    } catch {
      // a malformed line of a provider's file: skipped
    }
  }
  return [...valid].sort();
}
