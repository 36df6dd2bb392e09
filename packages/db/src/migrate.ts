import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { connectDb } from "./client";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL: expected a database name in the path");
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Two processes racing to create the same database: the loser sees 42P04
    // (duplicate_database) or, when both passed the check together, 23505 on
    // pg_database's name index.
    const code = (err as { code?: string }).code;
    if (code === "42P04" || code === "23505") return false;
    throw err;
  } finally {
    await client.end();
  }
}

/** Applies every committed migration that has not run yet; safe to run concurrently and repeatedly. */
export async function runMigrations(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl);
  const { db, pool, close } = connectDb(databaseUrl, {
    max: 2,
    applicationName: "adclick-migrate",
  });
  const client = await pool.connect();
  try {
    // A session advisory lock serialises concurrent `adclick migrate` runs.
    await client.query("select pg_advisory_lock(7242001)");
    try {
      await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query("select pg_advisory_unlock(7242001)");
    }
  } finally {
    client.release();
    await close();
  }
}
