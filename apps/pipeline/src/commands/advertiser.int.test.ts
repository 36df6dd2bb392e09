import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectDb } from "@adclick/db/client";
import { findAdvertiserByToken } from "@adclick/db/queries";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

async function adclick(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ["apps/pipeline/bin/adclick.mjs", ...args],
      {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? "", ...stack.env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it("advertiser token prints the token alone on the last line; --revoke disables it", async () => {
  expect((await adclick("advertiser", "create", "--id", "acme", "--name", "Acme")).code).toBe(0);
  const created = await adclick("advertiser", "token", "--id", "acme");
  expect(created.code).toBe(0);
  const token = created.stdout.trimEnd().split("\n").at(-1)!;
  expect(token).toMatch(/^adk_[A-Za-z0-9_-]{43}$/);
  const tokenId = /reporting token (\d+) /.exec(created.stdout)![1]!;

  const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
  try {
    expect(await findAdvertiserByToken(conn.db, token)).toMatchObject({ advertiserId: "acme" });
    const revoked = await adclick("advertiser", "token", "--id", "acme", "--revoke", tokenId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`reporting token ${tokenId} of advertiser acme revoked\n`);
    expect(await findAdvertiserByToken(conn.db, token)).toBeNull();
  } finally {
    await conn.close();
  }

  const again = await adclick("advertiser", "token", "--id", "acme", "--revoke", tokenId);
  expect(again.code).not.toBe(0);
  expect(again.stderr.trim().split("\n")).toHaveLength(1);
  expect(again.stderr).toContain(`advertiser acme has no active reporting token ${tokenId}`);
  const bad = await adclick("advertiser", "token", "--id", "acme", "--revoke", "x1");
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('--revoke: expected a token id such as 12, got "x1"');
});
