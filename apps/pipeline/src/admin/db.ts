import { connectDb, type Database } from "@adclick/db/client";
import { readConfig } from "../config";

/** Who the admin commands record as the actor in the audit trail. */
export const CLI_ACTOR = "cli";

/**
 * Runs one admin command against the configured database with a small pool,
 * and turns the two failures an operator meets first into advice.
 */
export async function withAdminDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = readConfig();
  const conn = connectDb(config.DATABASE_URL, { max: 2, applicationName: "adclick-admin" });
  try {
    return await fn(conn.db);
  } catch (err) {
    throw explainDbError(err, config.DATABASE_URL);
  } finally {
    await conn.close();
  }
}

function explainDbError(err: unknown, databaseUrl: string): unknown {
  const code = findCode(err);
  const where = new URL(databaseUrl);
  const target = `${where.host}${where.pathname}`;
  if (code === "42P01")
    return new Error(`database ${target} is not migrated: run "adclick migrate" first`);
  if (code === "3D000")
    return new Error(`database ${target} does not exist: run "adclick migrate" first`);
  if (code === "ECONNREFUSED")
    return new Error(`cannot reach PostgreSQL at ${target} (DATABASE_URL)`);
  return err;
}

/** pg errors and network errors carry `code`; drizzle wraps them in `cause`. */
function findCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause ?? (e instanceof AggregateError ? e.errors[0] : undefined);
  }
  return undefined;
}
