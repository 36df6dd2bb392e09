#!/usr/bin/env node
// Installs npm dependencies when they are missing or older than the lock file.
// Fast when nothing changed: compares a hash of the lock file with a stamp.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lockPath = join(root, "package-lock.json");
const stampPath = join(root, "node_modules", ".adclick-deps-stamp");

export function ensureDeps() {
  const lock = existsSync(lockPath) ? readFileSync(lockPath) : Buffer.from("");
  const hash = createHash("sha256").update(lock).digest("hex");
  if (existsSync(stampPath) && readFileSync(stampPath, "utf8") === hash) return;
  console.log("[deps] installing npm dependencies (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  let result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.log("[deps] npm ci failed; trying npm install");
    result = spawnSync(npm, ["install", "--no-audit", "--no-fund"], {
      cwd: root,
      stdio: "inherit",
    });
  }
  if (result.status !== 0) {
    console.error("[deps] could not install npm dependencies");
    process.exit(result.status ?? 1);
  }
  writeFileSync(stampPath, hash);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureDeps();
