import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const fixture = join(dirname(fileURLToPath(import.meta.url)), "fixtures/run-with-stops.ts");
const tsx = createRequire(import.meta.url).resolve("tsx");

async function runAndTerminate(mode: "ok" | "fail") {
  const child = spawn(process.execPath, ["--import", tsx, fixture, mode], {
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
  child.kill("SIGTERM");
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  return { code, stdout, stderr };
}

describe("runComponents on SIGTERM", () => {
  it("stops every component in reverse order and exits 0", async () => {
    const { code, stdout, stderr } = await runAndTerminate("ok");
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("stopped second,first");
  }, 30_000);

  it("still stops the others when one stop fails, then exits 1 with one line naming it", async () => {
    const { code, stdout, stderr } = await runAndTerminate("fail");
    expect(code).toBe(1);
    expect(stdout).toContain("stopped second,first");
    expect(stderr).toBe("adclick: stop failed: second: second could not flush\n");
  }, 30_000);
});
