/**
 * Reading a process's Prometheus text in tests. A query is `name` or
 * `name{label="value",…}`: a sample matches on its name and on each label asked
 * for, whatever other labels it carries (every process labels its series with
 * its role). The first match's value, or null when no sample matches.
 */
export function sampleValue(text: string, query: string): number | null {
  const [name, wanted = ""] = query.replace(/}$/, "").split("{");
  const labels = wanted ? wanted.split(",") : [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const [sample = "", value] = line.split(" ");
    const [sampleName, sampleLabels = ""] = sample.replace(/}$/, "").split("{");
    if (sampleName !== name) continue;
    const have = sampleLabels.split(",");
    if (labels.every((label) => have.includes(label))) return Number(value);
  }
  return null;
}

/** `sampleValue` of the /metrics served at `baseUrl`. */
export async function scrapeMetric(baseUrl: string, query: string): Promise<number | null> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return sampleValue(text, query);
}
