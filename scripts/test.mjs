#!/usr/bin/env node
// `npm test`: installs what is missing, brings up the local stack, then runs
// lint, typecheck, every workspace's tests (the unit tests once more under Node 24,
// the production runtime, from .cache/node24), the alert-rule tests (promtool)
// and the browser tests, and prints one closing line with the totals.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";
import { ensureNode24 } from "./ensure-node24.mjs";
import { ensurePromtool } from "./ensure-promtool.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const workspaces = ["packages/shared", "packages/db", "apps/pipeline", "apps/web"];
const started = Date.now();

function run(label, cmd, args, extraEnv = {}) {
  console.log(`\n[test] ${label}: ${cmd} ${args.join(" ")}`);
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...extraEnv },
  });
  return result.status ?? 1;
}

ensureDeps();
ensurePromtool(); // the alert-rule tests run `promtool test rules`
const NODE24_REPORT = ".vitest-node24-report.json";
for (const ws of workspaces) {
  rmSync(join(root, ws, ".vitest-report.json"), { force: true });
  rmSync(join(root, ws, NODE24_REPORT), { force: true });
}
rmSync(join(root, "e2e", ".report"), { recursive: true, force: true });

const failures = [];
if (run("local stack", "node", ["apps/pipeline/bin/adclick.mjs", "services", "up"]) !== 0) {
  console.error("[test] the local stack did not come up; see data/logs/");
  process.exit(1);
}
if (run("lint", "npx", ["biome", "ci", "."]) !== 0) failures.push("lint");
if (run("typecheck", "npx", ["turbo", "run", "typecheck", "--output-logs=errors-only"]) !== 0)
  failures.push("typecheck");
if (
  run("unit and integration tests", "npx", [
    "turbo",
    "run",
    "test",
    "--concurrency=1",
    "--filter=!@adclick/e2e",
    "--continue",
  ]) !== 0
)
  failures.push("tests");
// The unit tests once more on Node 24, the runtime of the production images.
const node24 = ensureNode24();
if (node24) {
  const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
  for (const ws of workspaces) {
    // packages/db holds integration tests only: no unit test there is not a failure.
    const args = [vitest, "run", "--exclude", "**/*.int.test.ts", "--passWithNoTests"];
    args.push("--reporter=default");
    args.push("--reporter=json", `--outputFile.json=${NODE24_REPORT}`);
    console.log(`\n[test] unit tests under Node 24 (${ws}): ${node24} ${args.slice(1).join(" ")}`);
    const status = spawnSync(node24, args, { cwd: join(root, ws), stdio: "inherit" }).status;
    if (status !== 0 && !failures.includes("node24")) failures.push("node24");
  }
}
if (existsSync(join(root, "e2e", "playwright.config.ts"))) {
  if (run("browser and API end-to-end tests", "npm", ["test", "-w", "@adclick/e2e"]) !== 0)
    failures.push("e2e");
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const ws of workspaces) {
  for (const name of [".vitest-report.json", NODE24_REPORT]) {
    const report = join(root, ws, name);
    if (!existsSync(report)) continue;
    const json = JSON.parse(readFileSync(report, "utf8"));
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  }
}
const e2eReport = join(root, "e2e", ".report", "results.json");
if (existsSync(e2eReport)) {
  const stats = JSON.parse(readFileSync(e2eReport, "utf8")).stats ?? {};
  passed += stats.expected ?? 0;
  failed += (stats.unexpected ?? 0) + (stats.flaky ?? 0);
  skipped += stats.skipped ?? 0;
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
if (failures.length) console.log(`\n[test] failed steps: ${failures.join(", ")} (${minutes} min)`);
else console.log(`\n[test] all steps passed (${minutes} min)`);
if (failed === 0 && failures.length) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failures.length ? 1 : 0);
