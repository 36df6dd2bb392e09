import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the local stack keeps its jars, data, logs, pid files and generated config. */
export interface StackPaths {
  root: string;
  /** Downloaded jars (git-ignored). */
  cacheDir: string;
  /** Service data, logs and pid files (git-ignored). */
  dataDir: string;
  runDir: string;
  logDir: string;
  confDir: string;
  infraDir: string;
}

/** The checkout this module lives in: apps/pipeline/src/services → repo root. */
export function repoRoot(): string {
  return resolve(fileURLToPath(new URL("../../../../", import.meta.url)));
}

export function stackPaths(root: string = repoRoot()): StackPaths {
  const dataDir = join(root, "data");
  return {
    root,
    cacheDir: join(root, ".cache"),
    dataDir,
    runDir: join(dataDir, "run"),
    logDir: join(dataDir, "logs"),
    confDir: join(dataDir, "conf"),
    infraDir: join(root, "infra"),
  };
}
