#!/usr/bin/env node
// Browser tests use Debian's Chromium; Playwright never downloads its own browser.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CHROMIUM = "/usr/bin/chromium";

function aptGet(args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["apt-get", args] : ["sudo", ["apt-get", ...args]];
  return spawnSync(cmd, argv, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status;
}

export function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log("[chromium] installing Debian's chromium package…");
  if (
    aptGet(["update", "-qq"]) !== 0 ||
    aptGet(["install", "-y", "-qq", "chromium"]) !== 0 ||
    !existsSync(CHROMIUM)
  ) {
    console.error(
      "[chromium] could not install chromium: run `apt-get install -y chromium` as root",
    );
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureChromium();
