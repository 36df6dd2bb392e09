#!/usr/bin/env node
// `npm run soak [-- --minutes 10 --rate N]`: brings up the local stack and holds a steady
// open-model rate through the whole pipeline (`adclick soak --help`). Prints figures and
// writes them under bench/results/; exits non-zero when a click was lost or duplicated.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";
import { withPipelineNodeOptions } from "./pipeline-node-options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");

function adclickRun(args) {
  console.log(`\n[soak] adclick ${args.join(" ")}`);
  const status = spawnSync("node", [adclick, ...args], { cwd: root, stdio: "inherit" }).status;
  if (status !== 0) process.exit(status ?? 1);
}

// Every process this starts (benches, roles) runs with the options production runs with.
process.env.NODE_OPTIONS = withPipelineNodeOptions(process.env.NODE_OPTIONS);
ensureDeps();
adclickRun(["services", "up"]);
adclickRun(["soak", ...process.argv.slice(2)]);
