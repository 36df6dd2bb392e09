import { describe, expect, it } from "vitest";
import { cleanCidrs, DATA_CENTRE_SOURCES } from "./data-centre-sources";

const source = (p: string) => DATA_CENTRE_SOURCES.find((s) => s.provider === p)!;

describe("data-centre range sources", () => {
  it("reads each provider's published format", () => {
    expect(
      source("aws").parse(
        JSON.stringify({
          prefixes: [{ ip_prefix: "3.5.140.0/22", region: "ap-northeast-2" }],
          ipv6_prefixes: [{ ipv6_prefix: "2600:1f14::/35" }],
        }),
      ),
    ).toEqual(["3.5.140.0/22", "2600:1f14::/35"]);
    expect(
      source("google_cloud").parse(
        JSON.stringify({
          prefixes: [{ ipv4Prefix: "34.1.208.0/20" }, { ipv6Prefix: "2600:1900:4000::/44" }],
        }),
      ),
    ).toEqual(["34.1.208.0/20", "2600:1900:4000::/44"]);
    expect(
      source("oracle_cloud").parse(
        JSON.stringify({ regions: [{ cidrs: [{ cidr: "129.146.0.0/21" }] }] }),
      ),
    ).toEqual(["129.146.0.0/21"]);
    expect(source("linode").parse("# comment\n45.33.0.0/17,US,US-CA,Fremont,\n\n")).toEqual([
      "45.33.0.0/17",
    ]);
  });

  it("keeps valid distinct CIDRs, sorted, and skips malformed lines", () => {
    expect(cleanCidrs(["3.0.0.0/9", "garbage", "3.0.0.0/9", "1.2.3.4", "2600::/999"])).toEqual([
      "1.2.3.4/32",
      "3.0.0.0/9",
    ]);
  });
});
