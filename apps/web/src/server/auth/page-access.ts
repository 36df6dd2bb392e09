import type { Role } from "./session-user";

/** The dashboard's pages (C10) and who may open each; the navigation shows the same list. */
export const PAGES = [
  { path: "/campaigns", label: "Campaigns", roles: ["advertiser"] },
  { path: "/review", label: "Review queue", roles: ["analyst", "admin"] },
  { path: "/invoices", label: "Invoices", roles: ["advertiser", "finance", "admin"] },
  { path: "/partners", label: "Partners", roles: ["admin"] },
  { path: "/system", label: "System", roles: ["analyst", "finance", "admin"] },
] as const satisfies ReadonlyArray<{ path: string; label: string; roles: readonly Role[] }>;

export type PagePath = (typeof PAGES)[number]["path"];

/**
 * Pages below a navigation page that fewer roles may open. The most specific
 * entry of either list decides, so an advertiser may open /invoices/<id> but
 * not /invoices/reconciliation.
 */
export const SUBPAGES = [
  { path: "/invoices/reconciliation", roles: ["finance", "admin"] },
] as const satisfies ReadonlyArray<{ path: string; roles: readonly Role[] }>;

const BY_SPECIFICITY: ReadonlyArray<{ path: string; roles: readonly Role[] }> = [
  ...SUBPAGES,
  ...PAGES,
].sort((a, b) => b.path.length - a.path.length);

/** The pages a role may open, in navigation order. */
export function pagesFor(role: Role): Array<{ path: PagePath; label: string }> {
  return PAGES.filter((p) => (p.roles as readonly Role[]).includes(role)).map(
    ({ path, label }) => ({ path, label }),
  );
}

/** Whether `role` may open `pathname` (a page or anything below it, e.g. /campaigns/<id>). */
export function canOpen(role: Role, pathname: string): boolean {
  const page = BY_SPECIFICITY.find((p) => pathname === p.path || pathname.startsWith(`${p.path}/`));
  return page?.roles.includes(role) ?? false;
}

/**
 * Where to go after signing in: the requested page when it is a local dashboard
 * path the role may open (never another site), otherwise the role's landing page.
 */
export function afterSignInPath(role: Role, requested: string | null, landing: string): string {
  if (!requested?.startsWith("/") || requested.startsWith("//")) return landing;
  const pathname = requested.split(/[?#]/)[0] ?? "";
  return canOpen(role, pathname) ? requested : landing;
}
