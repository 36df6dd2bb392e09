/** Where and on what a bench or soak ran: commit, machine, load; and where its result goes. */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchResult } from "./figures";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The short commit, with `-dirty` when the worktree has uncommitted changes. */
export function shortCommit(cwd = REPO_ROOT): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd })
      .toString()
      .trim();
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return "unknown";
  }
}

export function machine(): { node: string; cores: number } {
  return { node: process.version, cores: availableParallelism() };
}

export const loadAverage = (): number[] => loadavg().map((n) => Number(n.toFixed(2)));

/** `bench/results/<ISO time>-<short commit>.json`, with the colons of the time made file-safe. */
export function resultPath(root: string, startedAt: string, commit: string, kind = ""): string {
  const stamp = startedAt.replace(/\.\d+Z$/, "Z").replace(/:/g, "-");
  return join(root, "bench/results", `${stamp}${kind ? `-${kind}` : ""}-${commit}.json`);
}

/** Validates and writes a result; returns its path. */
export function writeResult(result: BenchResult, kind = ""): string {
  const valid = BenchResult.parse(result);
  const path = resultPath(REPO_ROOT, valid.startedAt, valid.commit, kind);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(valid, null, 2)}\n`);
  return path;
}
