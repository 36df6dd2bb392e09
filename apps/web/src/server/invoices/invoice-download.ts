import "server-only";

import type { DbOrTx } from "@adclick/db/client";
import { getInvoice } from "@adclick/db/queries";
import { canOpen } from "../auth/page-access";
import { readSession } from "../auth/session";
import { webDb } from "../db";
import { withInvoiceScope } from "./scoped-db";

type Found = NonNullable<Awaited<ReturnType<typeof getInvoice>>>;

/**
 * The invoice a download route asks for, read under the caller's scope, or the
 * response to send instead (401 signed out; 404 for a bad id, a role without
 * invoices or another tenant's invoice). `more` reads extra rows in the same scope.
 */
export async function invoiceForDownload<T extends object = object>(
  req: Request,
  id: string,
  more: (tx: DbOrTx, found: Found) => Promise<T> = async () => ({}) as T,
): Promise<(Found & T) | Response> {
  const session = await readSession(req.headers);
  if (!session) return new Response("sign in first\n", { status: 401 });
  if (!canOpen(session.user.role, "/invoices") || !/^[1-9][0-9]{0,15}$/.test(id))
    return new Response("not found\n", { status: 404 });
  const found = await withInvoiceScope(webDb().db, session, async (tx) => {
    const got = await getInvoice(tx, Number(id));
    return got && { ...got, ...(await more(tx, got)) };
  });
  return found ?? new Response("not found\n", { status: 404 });
}

/** A file download that is never cached. */
export function attachment(
  body: BodyInit,
  contentType: string,
  invoice: Found["invoice"],
  extension: string,
): Response {
  const name = `invoice-${invoice.number ?? invoice.id}-${invoice.advertiserId}-${invoice.month.slice(0, 7)}.${extension}`;
  return new Response(body, {
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
}
