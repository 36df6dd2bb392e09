import { connectDb, type DbConnection } from "@adclick/db/client";
import { env } from "../env";

let connection: DbConnection | null = null;

/** The web's one Postgres pool, made on first use and shared by every request. */
export function webDb(): DbConnection {
  connection ??= connectDb(env.DATABASE_URL, { applicationName: "adclick-web" });
  return connection;
}
