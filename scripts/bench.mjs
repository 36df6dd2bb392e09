#!/usr/bin/env node
// `npm run bench [-- ingest|aggregate|batch|web [options]]`: brings up the local stack and
// runs the benchmarks (all of them when none is named). Prints figures; asserts nothing.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");

function adclickRun(args) {
  console.log(`\n[bench] adclick ${args.join(" ")}`);
  const status = spawnSync("node", [adclick, ...args], { cwd: root, stdio: "inherit" }).status;
  if (status !== 0) process.exit(status ?? 1);
}

ensureDeps();
adclickRun(["services", "up"]);
/** The dashboard's procedures: p95 of the campaign list and the live chart (apps/web/bench). */
function webBench() {
  console.log("\n[bench] web: campaign-list and live-chart procedures");
  const status = spawnSync("node", ["--import", "tsx", "apps/web/bench/web-bench.ts"], {
    cwd: root,
    stdio: "inherit",
  }).status;
  if (status !== 0) process.exit(status ?? 1);
}

const args = process.argv.slice(2);
if (args[0] === "web") webBench();
else if (args.length) adclickRun(["bench", ...args]);
else {
  for (const what of ["ingest", "aggregate", "batch"]) adclickRun(["bench", what]);
  webBench();
}
