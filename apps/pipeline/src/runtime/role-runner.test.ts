import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const tsx = createRequire(import.meta.url).resolve("tsx");

/**
 * Starts a fixture, sends SIGTERM once it runs and collects its output to the end.
 * `slowReader` stops reading stderr for a second after the signal, as a loaded
 * log shipper does, so the child's log writes back up while it shuts down.
 */
async function runAndTerminate(fixture: string, mode = "", slowReader = false) {
  const child = spawn(process.execPath, ["--import", tsx, join(fixtures, fixture), mode], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes("running")) resolve();
    });
    child.once("exit", () => reject(new Error(`exited before running: ${stderr}`)));
  });
  const closed = new Promise<number | null>((r) => child.once("close", r));
  if (slowReader) {
    child.stderr.pause();
    setTimeout(() => child.stderr.resume(), 1000);
  }
  child.kill("SIGTERM");
  const code = await closed;
  return { code, stdout, stderr };
}

describe("runComponents on SIGTERM", () => {
  it("stops every component in reverse order and exits 0", async () => {
    const { code, stdout, stderr } = await runAndTerminate("run-with-stops.ts", "ok");
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("stopped second,first");
  }, 30_000);

  it("still stops the others when one stop fails, then exits 1 with one line naming it", async () => {
    const { code, stdout, stderr } = await runAndTerminate("run-with-stops.ts", "fail");
    expect(code).toBe(1);
    expect(stdout).toContain("stopped second,first");
    expect(stderr).toBe("adclick: stop failed: second: second could not flush\n");
  }, 30_000);

  it("writes every log line of the stop whole and in order before it exits", async () => {
    const { code, stderr } = await runAndTerminate("run-with-logging-stops.ts", "", true);
    expect(code, stderr.slice(-500)).toBe(0);
    const lines = stderr.trimEnd().split("\n");
    const entries = lines.map((line) => JSON.parse(line) as { component?: string; msg: string });
    const stopLines = entries
      .filter((e) => e.component && e.msg !== "started")
      .map((e) => `${e.component} ${e.msg}`);
    expect(stopLines).toEqual([
      "third handing back work",
      "third stopped",
      "second handing back work",
      "second stopped",
      "first handing back work",
      "first stopped",
    ]);
  }, 30_000);
});
