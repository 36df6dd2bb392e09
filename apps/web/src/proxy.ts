import { type NextRequest, NextResponse } from "next/server";
import { foreignOriginReason } from "./server/auth/origin";

/**
 * Refuses cross-site state changes (tRPC mutations, server actions, form posts)
 * with 403 before any route runs; see foreignOriginReason for the rule.
 */
export function proxy(request: NextRequest) {
  const reason = foreignOriginReason(request);
  if (reason) {
    return NextResponse.json({ error: `Cross-site request refused: ${reason}` }, { status: 403 });
  }
  return NextResponse.next();
}

export const config = {
  // Everything except static assets, which are only ever read.
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
