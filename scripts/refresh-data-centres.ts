/**
 * Refreshes packages/shared/src/fraud/data-centre-ranges.ts from the cloud and
 * hosting providers' published range files. Run by hand (never at run time):
 *
 *   npx tsx scripts/refresh-data-centres.ts
 *
 * then review the diff and commit it. A provider whose file cannot be fetched
 * or parsed keeps its current ranges (and is named on stderr).
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  cleanCidrs,
  DATA_CENTRE_RANGES,
  DATA_CENTRE_SOURCES,
} from "../packages/shared/src/fraud/index";

const target = fileURLToPath(
  new URL("../packages/shared/src/fraud/data-centre-ranges.ts", import.meta.url),
);

const providers: Record<string, string[]> = Object.fromEntries(
  Object.entries(DATA_CENTRE_RANGES.providers).map(([p, c]) => [p, [...c]]),
);
const sources: string[] = [];
for (const s of DATA_CENTRE_SOURCES) {
  try {
    const res = await fetch(s.url, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const cidrs = cleanCidrs(s.parse(await res.text()));
    if (cidrs.length === 0) throw new Error("no ranges in the file");
    providers[s.provider] = cidrs;
    sources.push(s.url);
    process.stderr.write(`${s.provider}: ${cidrs.length} ranges\n`);
  } catch (err) {
    process.stderr.write(`${s.provider}: keeping the current list (${(err as Error).message})\n`);
  }
}
if (sources.length === 0) {
  process.stderr.write("no provider file could be read; nothing changed\n");
  process.exit(1);
}
const now = new Date().toISOString();
const head = (await import("node:fs"))
  .readFileSync(target, "utf8")
  .split("export const DATA_CENTRE_RANGES")[0];
await writeFile(
  target,
  `${head}export const DATA_CENTRE_RANGES: DataCentreRanges = ${JSON.stringify(
    { version: `published-${now.slice(0, 10)}`, generatedAt: now, sources, providers },
    null,
    2,
  )};\n`,
);
process.stderr.write(`wrote ${target}; run biome format on it and commit\n`);
