import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "../../server/auth/request-session";
import { landingPathFor } from "../../server/auth/session-user";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const session = await currentSession();
  if (session) redirect(landingPathFor(session.user.role));
  const { next } = await searchParams;
  return (
    <section className="card">
      <h1>Sign in</h1>
      <p className="muted">Use the account your administrator created for you.</p>
      <LoginForm next={typeof next === "string" ? next : ""} />
    </section>
  );
}
