import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/adclick.mjs", import.meta.url));

const adclick = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });

describe("adclick command lookup (C6)", () => {
  it.each([
    [["nosuch", "--help"], "nosuch"],
    [["nosuch"], "nosuch"],
    [["partner", "nosuch", "--help"], "partner nosuch"],
    [["help", "nosuch"], "nosuch"],
  ])(
    "adclick %j exits 1 naming the unknown command",
    (args, name) => {
      const r = adclick(...args);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`adclick: unknown command '${name}' (see adclick --help)\n`);
    },
    60_000,
  );

  it("still prints a known command's help and exits 0", () => {
    const r = adclick("batch", "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: adclick batch \[options\]/);
    const sub = adclick("partner", "create", "--help");
    expect(sub.status).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: adclick partner create \[options\]/);
  }, 60_000);
});
