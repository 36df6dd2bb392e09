import { relative } from "node:path";
import type { Command } from "commander";
import { CLI_ACTOR, withAdminDb } from "../admin/db";
import {
  DEMO_ADVERTISERS,
  DEMO_BLOCKLIST,
  DEMO_CAMPAIGNS,
  DEMO_PARTNERS,
  DEMO_PASSWORD,
  DEMO_USERS,
} from "../admin/demo-data";
import { DEFAULT_DEMO_KEYS_FILE } from "../admin/demo-partner-keys";
import { seedDemoData } from "../admin/seed";

const LANDING: Record<string, string> = {
  advertiser: "/campaigns",
  analyst: "/review",
  finance: "/invoices",
  admin: "/partners",
};

export function registerSeedCommand(program: Command): void {
  program
    .command("seed")
    .description(
      "Create the demo advertisers, campaigns, partners (keys in data/demo-partner-keys.json), users and blocklist; safe to re-run.",
    )
    .option(
      "--keys-file <path>",
      "where to keep the demo partners' API keys",
      DEFAULT_DEMO_KEYS_FILE,
    )
    .action(async (opts: { keysFile: string }) => {
      const s = await withAdminDb((db) =>
        seedDemoData(db, { keysFile: opts.keysFile, actor: CLI_ACTOR }),
      );
      const out = [
        `seeded demo data: ${s.advertisersCreated} advertisers, ${s.campaignsCreated} campaigns, ` +
          `${s.partnersCreated} partners, ${s.keysIssued} API keys, ${s.usersCreated} users, ` +
          `${s.blocklistAdded} blocklist entries new ` +
          `(of ${DEMO_ADVERTISERS.length}, ${DEMO_CAMPAIGNS.length}, ${DEMO_PARTNERS.length}, ` +
          `${DEMO_PARTNERS.length}, ${DEMO_USERS.length}, ${DEMO_BLOCKLIST.length})`,
        `demo partner API keys: ${displayPath(opts.keysFile)}`,
        `demo logins (password "${DEMO_PASSWORD}"):`,
        ...DEMO_USERS.map(
          (u) =>
            `  ${u.email.padEnd(24)} ${u.role.padEnd(10)} ${LANDING[u.role]}${u.advertiserId ? ` (${u.advertiserId})` : ""}`,
        ),
      ];
      process.stdout.write(`${out.join("\n")}\n`);
    });
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") ? file : rel;
}
