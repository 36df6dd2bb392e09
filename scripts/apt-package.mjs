// Installs a Debian package when the file it provides is missing (idempotent:
// nothing runs when it is present). Used for the tools the tests call.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

function aptGet(args) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ["apt-get", args] : ["sudo", ["apt-get", ...args]];
  return spawnSync(cmd, argv, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status;
}

/** Ensures `path` exists, installing Debian's `pkg` (after an `apt-get update`) when not. */
export function ensureAptPackage(pkg, path, label = pkg) {
  if (existsSync(path)) return;
  console.log(`[${label}] installing Debian's ${pkg} package…`);
  if (
    aptGet(["update", "-qq"]) !== 0 ||
    aptGet(["install", "-y", "-qq", "--no-install-recommends", pkg]) !== 0 ||
    !existsSync(path)
  ) {
    console.error(`[${label}] could not install ${pkg}: run \`apt-get install -y ${pkg}\` as root`);
    process.exit(1);
  }
}
