import {
  createAdvertiser,
  createAdvertiserToken,
  getAdvertiser,
  listAdvertisers,
} from "@adclick/db/queries";
import type { Command } from "commander";
import { withAdminDb } from "../admin/db";
import { parseId, parseName } from "../admin/validate";

export function registerAdvertiserCommand(program: Command): void {
  const advertiser = program
    .command("advertiser")
    .description("Manage advertisers and their reporting-API tokens.");

  advertiser
    .command("create")
    .description("Create an advertiser.")
    .requiredOption("--id <id>", "advertiser id (A-Z a-z 0-9 _ . -)")
    .requiredOption("--name <name>", "display name")
    .action(async (opts: { id: string; name: string }) => {
      const id = parseId("--id", opts.id);
      const name = parseName("--name", opts.name);
      const created = await withAdminDb((db) => createAdvertiser(db, { id, name }));
      if (!created) throw new Error(`advertiser "${id}" already exists`);
      process.stdout.write(`advertiser ${id} created\n`);
    });

  advertiser
    .command("token")
    .description(
      "Create a reporting-API token for GET /api/v1/stats; prints it once, alone on the last line.",
    )
    .requiredOption("--id <id>", "advertiser id")
    .action(async (opts: { id: string }) => {
      const id = parseId("--id", opts.id);
      const created = await withAdminDb(async (db) => {
        if (!(await getAdvertiser(db, id))) throw new Error(`unknown advertiser "${id}"`);
        return createAdvertiserToken(db, id);
      });
      process.stdout.write(
        `reporting token ${created.id} (${created.tokenPrefix}…) for advertiser ${id}; it is shown only now:\n${created.token}\n`,
      );
    });

  advertiser
    .command("list")
    .description("List advertisers.")
    .action(async () => {
      const rows = await withAdminDb((db) => listAdvertisers(db));
      for (const row of rows) process.stdout.write(`${row.id}\t${row.name}\n`);
    });
}
