import Link from "next/link";
import { currentSession } from "../server/auth/request-session";
import { landingPathFor } from "../server/auth/session-user";

/**
 * One answer for a page that does not exist and for one the account may not
 * open, so the dashboard does not confirm which pages another role has.
 */
export default async function NotFound() {
  const session = await currentSession();
  const home = session ? landingPathFor(session.user.role) : "/";
  return (
    <section className="page-shell">
      <h1>Page not found</h1>
      <p className="muted">There is no such page, or it is not open to your account.</p>
      <p>
        <Link href={home}>{session ? "Back to your dashboard" : "Back to the start page"}</Link>
      </p>
    </section>
  );
}
