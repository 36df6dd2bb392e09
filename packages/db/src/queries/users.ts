import { hash, verify } from "@node-rs/argon2";
import { and, isNull, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { users } from "../schema";

export type UserRole = (typeof users.$inferSelect)["role"];

/** What a signed-in user is allowed to see: never the password hash. */
export interface AuthenticatedUser {
  id: number;
  email: string;
  role: UserRole;
  /** The advertiser an `advertiser` user belongs to; null for the other roles. */
  advertiserId: string | null;
}

/**
 * argon2id with the library defaults (19 MiB, 2 passes, 1 lane: the OWASP
 * minimum), as a PHC string that carries its own salt and parameters.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Creates a user with a hashed password; returns null when the email is taken
 * (emails are unique regardless of case).
 */
export async function createUser(
  db: DbOrTx,
  input: { email: string; password: string; role: UserRole; advertiserId?: string | null },
): Promise<AuthenticatedUser | null> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({
      email: normalizeEmail(input.email),
      passwordHash,
      role: input.role,
      advertiserId: input.advertiserId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  return row ? toAuthenticated(row) : null;
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`);
  return row ?? null;
}

let dummyHash: Promise<string> | null = null;

/**
 * Checks an email and password; the user on a match, otherwise null (unknown
 * email, wrong password or a disabled account, all alike). An unknown email
 * still costs one hash verification, so timing does not reveal which accounts exist.
 */
export async function verifyUserPassword(
  db: DbOrTx,
  email: string,
  password: string,
): Promise<AuthenticatedUser | null> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(sql`lower(${users.email}) = ${normalizeEmail(email)}`, isNull(users.disabledAt)));
  if (!row) {
    dummyHash ??= hashPassword("no-such-user");
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(row.passwordHash, password).catch(() => false);
  return ok ? toAuthenticated(row) : null;
}

function toAuthenticated(row: typeof users.$inferSelect): AuthenticatedUser {
  return { id: row.id, email: row.email, role: row.role, advertiserId: row.advertiserId };
}
