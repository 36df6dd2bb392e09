#!/usr/bin/env node
// `npm start`: installs what is missing, brings up the local stack, migrates,
// seeds demo data, then runs the pipeline, the dashboard and a traffic
// simulator until Ctrl-C, and prints where everything is.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDeps } from "./ensure-deps.mjs";
import { withPipelineNodeOptions } from "./pipeline-node-options.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");
const ingestPort = port("INGEST_PORT", "8080");
const webPort = port("WEB_PORT", "3000");

function port(name, fallback) {
  const value = process.env[name] || fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    console.error(`[start] ${name} must be a port number 1-65535, got "${value}"`);
    process.exit(1);
  }
  return value;
}

function step(label, args) {
  console.log(`[start] ${label}`);
  const result = spawnSync("node", [adclick, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[start] ${label} failed (exit ${result.status}); see the message above`);
    process.exit(result.status ?? 1);
  }
}

ensureDeps();
step("bringing up the local stack", ["services", "up"]);
step("applying migrations", ["migrate"]);
step("seeding demo data", ["seed"]);

const children = [];
function launch(name, cmd, args, env = process.env) {
  // Each child leads its own process group, so stopping it reaches the servers that
  // npm and shells start beneath it.
  const child = spawn(cmd, args, {
    cwd: root,
    env,
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  child.on("exit", (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let simulator = null;
let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const deadline = setTimeout(() => process.exit(code), 35_000);
  deadline.unref();
  // The simulator first, so it does not post to an ingest that is already stopping.
  terminate(children.filter((c) => c === simulator))
    .then(() => terminate(children.filter((c) => c !== simulator)))
    .then(() => process.exit(code));
}

function terminate(group) {
  const running = group.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const child of running) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  }
  return Promise.all(running.map((c) => new Promise((r) => c.once("exit", r))));
}

// SIGHUP too: closing the terminal must not leave the servers running in their own groups.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => stop(0));
// npm does not always pass a SIGTERM on to this script (`timeout 60 npm start` leaves it
// running): when the parent that started us is gone, stop as if signalled.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) stop(0);
}, 1000).unref();

async function waitFor(url, label, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${label} did not become ready at ${url}`);
}

launch("pipeline", "node", [adclick, "run"], {
  ...process.env,
  NODE_OPTIONS: withPipelineNodeOptions(process.env.NODE_OPTIONS),
});
launch("dashboard", "npm", ["run", "-w", "@adclick/web", "serve"]);
await waitFor(`http://127.0.0.1:${ingestPort}/readyz`, "the pipeline", 120_000);

// The simulator posts with the demo partners' keys that `adclick seed` wrote.
simulator = launch("simulator", "node", [adclick, "simulate", "--rate", "50", "--duration", "0"]);
await waitFor(`http://127.0.0.1:${webPort}/login`, "the dashboard", 600_000);

console.log(`
adclick is running.

  dashboard        http://localhost:${webPort}
  ingest endpoint  http://localhost:${ingestPort}/v1/clicks   (API docs: /openapi.json)
  metrics          http://localhost:9464/metrics   (the ops port of adclick run)

  demo logins (password: demo-password)
    advertiser@demo.adclick   analyst@demo.adclick   finance@demo.adclick   admin@demo.adclick

  a traffic simulator is posting clicks; Ctrl-C stops everything.
`);
