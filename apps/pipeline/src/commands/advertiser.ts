import {
  createAdvertiser,
  createAdvertiserToken,
  getAdvertiser,
  listAdvertisers,
  revokeAdvertiserTokenOf,
} from "@adclick/db/queries";
import { type Command, InvalidArgumentError } from "commander";
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
    .option(
      "--revoke <token-id>",
      "revoke this advertiser's token with this id (printed when it was created) instead of creating one",
      parseTokenId,
    )
    .action(async (opts: { id: string; revoke?: number }) => {
      const id = parseId("--id", opts.id);
      if (opts.revoke !== undefined) {
        const tokenId = opts.revoke;
        const revoked = await withAdminDb(async (db) => {
          if (!(await getAdvertiser(db, id))) throw new Error(`unknown advertiser "${id}"`);
          return revokeAdvertiserTokenOf(db, id, tokenId);
        });
        if (!revoked) throw new Error(`advertiser ${id} has no active reporting token ${tokenId}`);
        process.stdout.write(`reporting token ${tokenId} of advertiser ${id} revoked\n`);
        return;
      }
      const created = await withAdminDb(async (db) => {
        if (!(await getAdvertiser(db, id))) throw new Error(`unknown advertiser "${id}"`);
        return createAdvertiserToken(db, id);
      });
      process.stdout.write(
        `reporting token ${created.id} (${created.tokenPrefix}…) for advertiser ${id}; it is shown only now (revoke with --revoke ${created.id}):\n${created.token}\n`,
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

function parseTokenId(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value))
    throw new InvalidArgumentError(`--revoke: expected a token id such as 12, got "${value}"`);
  return Number(value);
}
