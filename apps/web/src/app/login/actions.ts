"use server";

import { redirect } from "next/navigation";
import { landingPathFor } from "../../server/auth/session-user";
import { signIn, verifyUser } from "../../server/auth/sign-in";

export interface SignInState {
  error: string | null;
  /** Echoed back so the form keeps what was typed (also without JavaScript). */
  email: string;
}

export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = form.get("email");
  const fields = { email, password: form.get("password") };
  const result = await signIn(fields, verifyUser);
  if (!result.ok) {
    return { error: result.error, email: typeof email === "string" ? email : "" };
  }
  // Sessions come with authentication against the users table: that issue sets the
  // session cookie here. Until then verifyUser matches nobody, so this is not reached.
  redirect(landingPathFor(result.user.role));
}
