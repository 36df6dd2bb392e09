import { connectDb, type DbConnection } from "@adclick/db/client";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { env } from "../env";

let connection: DbConnection | null = null;

/**
 * The web's one Postgres pool, made on first use and shared by every request.
 * Every connection runs as WEB_DB_ROLE, which owns no table: row-level security
 * limits what any query sees to the tenant (or staff role) its transaction names.
 */
export function webDb(): DbConnection {
  connection ??= connectDb(env.DATABASE_URL, { applicationName: "adclick-web", role: WEB_DB_ROLE });
  return connection;
}
