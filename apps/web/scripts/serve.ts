/**
 * `npm run serve`: builds the app when the build is missing or older than its
 * sources, then runs `next start` on WEB_PORT (C7, default 3000).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(webRoot, "../..");
const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");

/** Everything the build is made from: the app and the workspace packages it compiles in. */
const sources = [
  join(webRoot, "src"),
  join(webRoot, "public"),
  join(webRoot, "next.config.ts"),
  join(webRoot, "package.json"),
  join(webRoot, "tsconfig.json"),
  join(repoRoot, "packages/shared/src"),
  join(repoRoot, "packages/db/src"),
];

/** Newest modification time under `path`, ignoring tests (they are not part of the build). */
function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const buildId = join(webRoot, ".next/BUILD_ID");
  if (!existsSync(buildId)) return false;
  const builtAt = statSync(buildId).mtimeMs;
  return sources.every((source) => newestMtimeMs(source) <= builtAt);
}

async function run(): Promise<void> {
  // Imported here so a bad setting ends in one line naming it, not a stack trace.
  const { env } = await import("../src/env");

  if (buildIsCurrent()) {
    console.log("web: build is current, starting");
  } else {
    console.log("web: building (the build is missing or older than its sources)");
    const started = Date.now();
    const build = spawnSync(process.execPath, [nextBin, "build"], {
      cwd: webRoot,
      stdio: "inherit",
    });
    if (build.status !== 0) {
      console.error(`web: next build failed (exit ${build.status ?? build.signal})`);
      process.exit(1);
    }
    console.log(`web: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  const server = spawn(process.execPath, [nextBin, "start", "--port", String(env.WEB_PORT)], {
    cwd: webRoot,
    stdio: "inherit",
  });
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      server.kill(signal);
    });
  }
  server.on("exit", (code) => {
    // Stopped on request is a clean exit; anything else passes the failure on.
    process.exit(stopping ? 0 : (code ?? 1));
  });
}

run().catch((error: unknown) => {
  console.error(`web: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
