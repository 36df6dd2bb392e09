import { randomBytes } from "node:crypto";
import pg from "pg";
import { runMigrations } from "./migrate";

const TEST_DB_PREFIX = "adclick_test_";

/** A throwaway, migrated database for one test file; `drop` refuses anything not made here. */
export async function createTestDatabase(
  baseUrl: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${TEST_DB_PREFIX}${randomBytes(5).toString("hex")}`;
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return { url: url.toString(), name, drop: () => dropTestDatabase(baseUrl, name) };
}

export async function dropTestDatabase(baseUrl: string, name: string): Promise<void> {
  if (!name.startsWith(TEST_DB_PREFIX))
    throw new Error(`refusing to drop "${name}": not a test database`);
  const admin = new URL(baseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
