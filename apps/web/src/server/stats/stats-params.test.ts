import { describe, expect, it } from "vitest";
import { parseStatsParams } from "./stats-params";

const parse = (query: string) => parseStatsParams(new URLSearchParams(query));
const ok = "campaign_id=c1&from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=5m";

describe("parseStatsParams", () => {
  it("parses ISO instants to epoch ms", () => {
    expect(parse(ok)).toEqual({
      ok: true,
      params: {
        campaign_id: "c1",
        from: Date.UTC(2026, 11, 2),
        to: Date.UTC(2026, 11, 2, 1),
        granularity: "5m",
      },
    });
    expect(parse("campaign_id=c1&from=2026-12-01&to=2026-12-03&granularity=day")).toMatchObject({
      ok: true,
      params: { from: Date.UTC(2026, 11, 1), to: Date.UTC(2026, 11, 3) },
    });
    expect(
      parse(
        "campaign_id=c1&from=2026-12-02T02:00:00%2B02:00&to=2026-12-02T01:00:00Z&granularity=5m",
      ),
    ).toMatchObject({
      ok: true,
      params: { from: Date.UTC(2026, 11, 2) },
    });
  });

  it.each([
    [
      "from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=5m",
      "campaign_id",
      "campaign_id is required",
    ],
    ["campaign_id=c1&to=2026-12-02T01:00:00Z&granularity=5m", "from", "from is required"],
    [
      "campaign_id=c1&from=yesterday&to=2026-12-02T01:00:00Z&granularity=5m",
      "from",
      "from must be an ISO-8601",
    ],
    [
      "campaign_id=c1&from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z&granularity=1h",
      "granularity",
      "granularity must be 5m or day",
    ],
    [
      "campaign_id=c1&from=2026-12-02T00:00:00Z&to=2026-12-02T01:00:00Z",
      "granularity",
      "granularity must be 5m or day",
    ],
    [
      "campaign_id=c1&from=2026-12-02T01:00:00Z&to=2026-12-02T00:00:00Z&granularity=5m",
      "to",
      "to must be after from",
    ],
    [
      "campaign_id=c1&from=2026-11-01T00:00:00Z&to=2026-12-02T00:00:00Z&granularity=5m",
      "to",
      "at most 7 days",
    ],
  ])("names the bad parameter of %s", (query, parameter, message) => {
    const result = parse(query);
    expect(result).toMatchObject({ ok: false, parameter });
    expect(result.ok === false && result.message).toContain(message);
  });
});
