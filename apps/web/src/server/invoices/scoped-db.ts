import type { Database, DbOrTx } from "@adclick/db/client";
import {
  advertiserScope,
  staffScope,
  withAdvertiserScope,
  withStaffScope,
} from "@adclick/db/scope";
import type { Session } from "../auth/session-user";

/**
 * Runs `fn` under the caller's row-level-security scope for invoices and
 * billing: an advertiser user sees its own advertiser's rows, finance and admin
 * see all. Any other role gets an error rather than an empty list.
 */
export async function withInvoiceScope<T>(
  db: Database,
  session: Session,
  fn: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  const { role, advertiserId } = session.user;
  if (role === "advertiser" && advertiserId)
    return withAdvertiserScope(db, advertiserScope(advertiserId), fn);
  if (role === "finance" || role === "admin") return withStaffScope(db, staffScope(role), fn);
  throw new Error(`role ${role} may not read invoices`);
}
