import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

it.each(["10", "1023", "4k", "1.5e3", "0x800"])(
  "replay refuses --fetch-bytes %s with one line naming the option, before touching Kafka or Redis",
  async (value) => {
    const failed = await run(
      process.execPath,
      ["apps/pipeline/bin/adclick.mjs", "replay", "--from", "2026-01-15", "--fetch-bytes", value],
      // Unreachable servers: the option must be refused before any connection is tried.
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? "",
          KAFKA_BROKERS: "127.0.0.1:1",
          REDIS_URL: "redis://127.0.0.1:1",
          DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
        },
        timeout: 30_000,
      },
    ).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed).not.toBeNull();
    expect(failed!.code).toBe(1);
    expect(failed!.stderr.trim().split("\n")).toEqual([
      `adclick: --fetch-bytes must be an integer of at least 1024, got "${value}"`,
    ]);
  },
);
