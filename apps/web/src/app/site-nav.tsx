import Link from "next/link";
import { pagesFor } from "../server/auth/page-access";
import { currentSession } from "../server/auth/request-session";
import { signOutAction } from "./login/actions";

const ROLE_LABEL = {
  advertiser: "Advertiser",
  analyst: "Fraud analyst",
  finance: "Finance",
  admin: "Administrator",
} as const;

/** The header's navigation: only the pages the signed-in role may open, who is signed in, and sign-out. */
export async function SiteNav() {
  const session = await currentSession();
  if (!session) {
    return (
      <nav aria-label="Account" className="site-nav">
        <Link href="/login">Sign in</Link>
      </nav>
    );
  }
  const { user } = session;
  return (
    <div className="site-nav">
      <nav aria-label="Main">
        <ul className="nav-links">
          {pagesFor(user.role).map((page) => (
            <li key={page.path}>
              <Link href={page.path}>{page.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="nav-account">
        <span className="nav-user" title={user.email}>
          {user.email}
          <span className="nav-role">
            {ROLE_LABEL[user.role]}
            {user.advertiserId ? ` · ${user.advertiserId}` : ""}
          </span>
        </span>
        <form action={signOutAction}>
          <button type="submit" className="button button-quiet">
            Sign out
          </button>
        </form>
      </div>
    </div>
  );
}
