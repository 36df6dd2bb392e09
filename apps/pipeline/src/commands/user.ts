import { createUser, getAdvertiser } from "@adclick/db/queries";
import type { Command } from "commander";
import { withAdminDb } from "../admin/db";
import { parseEmail, parseId, parsePassword, parseRole } from "../admin/validate";

export function registerUserCommand(program: Command): void {
  const user = program.command("user").description("Manage dashboard users.");

  user
    .command("create")
    .description("Create a dashboard user; the password is stored only as an argon2id hash.")
    .requiredOption("--email <email>", "sign-in email (case-insensitive, unique)")
    .requiredOption("--password <password>", "at least 8 characters")
    .requiredOption("--role <role>", "advertiser|analyst|finance|admin")
    .option("--advertiser <id>", "the advertiser whose data the user sees (advertiser role only)")
    .action(
      async (opts: { email: string; password: string; role: string; advertiser?: string }) => {
        const email = parseEmail(opts.email);
        const password = parsePassword(opts.password);
        const role = parseRole(opts.role);
        if (role === "advertiser" && opts.advertiser === undefined) {
          throw new Error("--advertiser is required for the advertiser role");
        }
        if (role !== "advertiser" && opts.advertiser !== undefined) {
          throw new Error(`--advertiser is only for the advertiser role, not ${role}`);
        }
        const advertiserId =
          opts.advertiser === undefined ? null : parseId("--advertiser", opts.advertiser);
        const created = await withAdminDb(async (db) => {
          if (advertiserId && !(await getAdvertiser(db, advertiserId))) {
            throw new Error(`unknown advertiser "${advertiserId}"`);
          }
          return createUser(db, { email, password, role, advertiserId });
        });
        if (!created) throw new Error(`a user with email ${email} already exists`);
        process.stdout.write(
          `user ${created.id} created: ${email} (${role}${advertiserId ? ` of ${advertiserId}` : ""})\n`,
        );
      },
    );
}
