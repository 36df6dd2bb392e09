/**
 * Jars for the Java services come from Maven Central through a small pom in
 * infra/ (`mvn dependency:copy-dependencies`). Maven runs only when the jars are
 * missing or the pom changed: a stamp file beside the jars holds the pom's hash.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runToCompletion } from "./processes";

const STAMP = ".adclick-stamp";

export function pomHash(pomPath: string): string {
  return createHash("sha256").update(readFileSync(pomPath)).digest("hex");
}

/** True when `libDir` holds the jars for the current pom. */
export function jarsReady(pomPath: string, libDir: string): boolean {
  const stamp = join(libDir, STAMP);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() === pomHash(pomPath);
}

// Maven's local repository is not safe for two concurrent downloads: one at a time.
let mavenQueue: Promise<unknown> = Promise.resolve();

/**
 * Makes sure `libDir` holds the pom's runtime jars. Returns false when they were
 * there already (the fast path), true after a download.
 */
export async function ensureJars(pomPath: string, libDir: string): Promise<boolean> {
  if (jarsReady(pomPath, libDir)) return false;
  const run = mavenQueue.then(() => fetchJars(pomPath, libDir));
  mavenQueue = run.catch(() => undefined);
  await run;
  return true;
}

async function fetchJars(pomPath: string, libDir: string): Promise<void> {
  const staging = `${libDir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(libDir), { recursive: true });
  const args = [
    "-q",
    "-B",
    "-f",
    pomPath,
    "dependency:copy-dependencies",
    `-DoutputDirectory=${staging}`,
  ];
  const output = await runMaven(args);
  if (!existsSync(staging)) {
    throw new Error(`mvn ${args.join(" ")} copied no jars: ${output.trim().split("\n").pop()}`);
  }
  writeFileSync(join(staging, STAMP), `${pomHash(pomPath)}\n`);
  rmSync(libDir, { recursive: true, force: true });
  renameSync(staging, libDir);
}

function runMaven(args: string[]): Promise<string> {
  return runToCompletion("mvn", args, {
    notInstalled: "Maven (mvn) is not installed: apt-get install -y maven",
    failed: (output, code) => {
      const errorLine =
        output
          .split("\n")
          .map((line) => line.trim()) // -B: batch mode, no colours
          .find((line) => line.startsWith("[ERROR]") && line.length > 8) ?? `exit code ${code}`;
      return `Maven could not fetch the jars: ${errorLine}`;
    },
  });
}
