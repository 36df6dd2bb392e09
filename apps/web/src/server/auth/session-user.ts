import type { userRole } from "@adclick/db/schema";

/** A role from the users table (C5): advertiser, analyst, finance or admin. */
export type Role = (typeof userRole.enumValues)[number];

/** The signed-in user as the web app sees it. */
export interface SessionUser {
  id: number;
  email: string;
  role: Role;
  /** The advertiser whose data an `advertiser` user may see; null for the other roles. */
  advertiserId: string | null;
}

export interface Session {
  user: SessionUser;
}

/** Where each role lands after signing in (C10). */
export function landingPathFor(role: Role): string {
  switch (role) {
    case "advertiser":
      return "/campaigns";
    case "analyst":
      return "/review";
    case "finance":
      return "/invoices";
    case "admin":
      return "/partners";
  }
}
