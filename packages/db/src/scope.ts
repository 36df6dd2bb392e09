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
