import { readSession } from "../../../server/auth/session";
import { webDb } from "../../../server/db";
import { handleBillingExport } from "../../../server/invoices/billing-export";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return handleBillingExport(req, { db: webDb().db, session: await readSession(req.headers) });
}
