#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --peer flink]`: brings up the local stack and runs every
// benchmark, printing one table of the figures against their same-run ceilings and targets
// (also written as JSON under bench/results/). `npm run bench -- ingest|aggregate|batch|web [options]`
// runs one bench. Prints figures; asserts nothing.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";
import { withPipelineNodeOptions } from "./pipeline-node-options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");

function adclickRun(args) {
  console.log(`\n[bench] adclick ${args.join(" ")}`);
  const status = spawnSync("node", [adclick, ...args], { cwd: root, stdio: "inherit" }).status;
  if (status !== 0) process.exit(status ?? 1);
}

// Every process this starts (benches, roles) runs with the options production runs with.
process.env.NODE_OPTIONS = withPipelineNodeOptions(process.env.NODE_OPTIONS);
ensureDeps();
adclickRun(["services", "up"]);
const args = process.argv.slice(2);
if (args[0] === "web") {
  // The dashboard's procedures: p95 of the campaign list and the live chart (apps/web/bench).
  const status = spawnSync("node", ["--import", "tsx", "apps/web/bench/web-bench.ts"], {
    cwd: root,
    stdio: "inherit",
  }).status;
  if (status !== 0) process.exit(status ?? 1);
} else if (args.length && !args[0].startsWith("-")) adclickRun(["bench", ...args]);
else adclickRun(["bench", "suite", ...args]);
