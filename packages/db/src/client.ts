import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema";

// bigint (int8) columns come back as JS numbers; all our counts and micros fit in 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database = ReturnType<typeof drizzle<typeof schema>>;
/** A database handle or a transaction: query functions accept either. */
export type DbOrTx = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

export interface DbConnection {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connectDb(
  databaseUrl: string,
  options: {
    max?: number;
    applicationName?: string;
    /** A role every connection switches to (`SET ROLE` at connect), e.g. the web's WEB_DB_ROLE. */
    role?: string;
  } = {},
): DbConnection {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "adclick",
    // A startup parameter, so no query on the connection ever runs as the login role.
    ...(options.role ? { options: `-c role=${options.role}` } : {}),
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

export { schema };
