import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "./client";

declare const scopeBrand: unique symbol;

/**
 * The one advertiser whose rows a tenant query may read. Tenant queries take it
 * as a typed argument, so a query that forgets the tenant does not compile.
 * Only the web's procedure builders (from the session) and the reporting API
 * (from a verified token) make one.
 */
export interface AdvertiserScope {
  readonly advertiserId: string;
  readonly [scopeBrand]: "AdvertiserScope";
}

export function advertiserScope(advertiserId: string): AdvertiserScope {
  if (!advertiserId) throw new Error("an advertiser scope needs an advertiser id");
  return { advertiserId } as AdvertiserScope;
}

/**
 * Runs `fn` in a transaction that carries the scope's tenant
 * (`set_config('adclick.advertiser_id', …, true)`, local to the transaction),
 * which the row-level security policies on tenant tables read.
 */
export async function withAdvertiserScope<T>(
  db: Database,
  scope: AdvertiserScope,
  fn: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('adclick.advertiser_id', ${scope.advertiserId}, true)`);
    return fn(tx);
  });
}

/** The Postgres role the web connects as: it owns no table, so row-level security applies. */
export const WEB_DB_ROLE = "adclick_web";

/** The staff roles that see every tenant's rows their policies allow (analyst, finance, admin). */
export type StaffRole = "analyst" | "finance" | "admin";

declare const staffBrand: unique symbol;

/** A signed-in staff user's role, made only by the web's `roleProcedure` from the session. */
export interface StaffScope {
  readonly role: StaffRole;
  readonly [staffBrand]: "StaffScope";
}

export function staffScope(role: StaffRole): StaffScope {
  if (role !== "analyst" && role !== "finance" && role !== "admin") {
    throw new Error(`a staff scope needs a staff role, got "${String(role)}"`);
  }
  return { role } as StaffScope;
}

/**
 * Runs `fn` in a transaction that carries the staff role (`adclick.role`), which
 * the row-level security policies read to let staff see across tenants.
 */
export async function withStaffScope<T>(
  db: Database,
  scope: StaffScope,
  fn: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('adclick.role', ${scope.role}, true)`);
    return fn(tx);
  });
}

/**
 * Runs `fn` in a transaction that names one reporting-API token hash
 * (`adclick.token_hash`): under the web role it can then read that token's row
 * and its advertiser, and nothing else, before the tenant is known.
 */
export async function withTokenLookup<T>(
  db: Database,
  tokenHash: string,
  fn: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('adclick.token_hash', ${tokenHash}, true)`);
    return fn(tx);
  });
}
