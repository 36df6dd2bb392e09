import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectDb } from "@adclick/db/client";
import {
  findPartnerByKeyHash,
  getPartner,
  hashApiKey,
  listSealedSigningSecrets,
} from "@adclick/db/queries";
import { openSigningSecret } from "@adclick/shared/request-signing";
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
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? "", ...stack.env } },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

it("partner create prints the key alone on the last line; revoke disables it; signing-secret rotates", async () => {
  const created = await adclick(
    "partner",
    "create",
    "--name",
    "Acme Network",
    "--id",
    "acme-net",
    "--rate-limit",
    "300",
  );
  expect(created.code).toBe(0);
  const key = created.stdout.trimEnd().split("\n").at(-1)!;
  expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
  const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
  try {
    expect(await findPartnerByKeyHash(conn.db, hashApiKey(key))).toMatchObject({
      partnerId: "acme-net",
      rateLimitPerSec: 300,
    });
    const again = await adclick("partner", "create", "--name", "x", "--id", "acme-net");
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);

    const s1 = await adclick("partner", "signing-secret", "--id", "acme-net", "--require");
    const s2 = await adclick("partner", "signing-secret", "--id", "acme-net");
    const s3 = await adclick("partner", "signing-secret", "--id", "acme-net");
    const secrets = [s1, s2, s3].map((s) => s.stdout.trimEnd().split("\n").at(-1)!);
    const active = (await listSealedSigningSecrets(conn.db, "acme-net")).map((sealed) =>
      openSigningSecret(stack.config.APP_SECRET, sealed),
    );
    expect(active).toEqual([secrets[2], secrets[1]]);
    expect((await getPartner(conn.db, "acme-net"))?.requireSignature).toBe(true);

    expect((await adclick("partner", "revoke", "--id", "acme-net")).code).toBe(0);
    expect(await findPartnerByKeyHash(conn.db, hashApiKey(key))).toBeNull();
    const missing = await adclick("partner", "revoke", "--id", "nobody");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/not found/);
  } finally {
    await conn.close();
  }
});
