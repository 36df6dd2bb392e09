import {
  type CampaignStatus,
  createCampaign,
  getAdvertiser,
  listCampaignsOfAdvertiser,
  setCampaignStatus,
} from "@adclick/db/queries";
import { formatMicros } from "@adclick/shared";
import type { Command } from "commander";
import { CLI_ACTOR, withAdminDb } from "../admin/db";
import { parseCpcMicros, parseId, parseLandingUrl, parseName } from "../admin/validate";

export function registerCampaignCommand(program: Command): void {
  const campaign = program.command("campaign").description("Manage campaigns.");

  campaign
    .command("create")
    .description("Create an active campaign with its price per click.")
    .requiredOption("--id <id>", "campaign id (A-Z a-z 0-9 _ . -)")
    .requiredOption("--advertiser <id>", "the advertiser that owns it")
    .requiredOption("--cpc-micros <n>", "price per click in micros (250000 = $0.25)")
    .requiredOption("--landing-url <url>", "http(s) URL that clicks lead to")
    .option("--name <name>", "display name (default: the id)")
    .action(
      async (opts: {
        id: string;
        advertiser: string;
        cpcMicros: string;
        landingUrl: string;
        name?: string;
      }) => {
        const id = parseId("--id", opts.id);
        const advertiserId = parseId("--advertiser", opts.advertiser);
        const cpcMicros = parseCpcMicros(opts.cpcMicros);
        const landingUrl = parseLandingUrl(opts.landingUrl);
        const name = opts.name === undefined ? id : parseName("--name", opts.name);
        await withAdminDb(async (db) => {
          if (!(await getAdvertiser(db, advertiserId))) {
            throw new Error(`unknown advertiser "${advertiserId}"`);
          }
          const created = await createCampaign(db, {
            id,
            advertiserId,
            name,
            cpcMicros,
            landingUrl,
          });
          if (!created) throw new Error(`campaign "${id}" already exists`);
        });
        process.stdout.write(
          `campaign ${id} created for ${advertiserId} at ${formatMicros(cpcMicros)} per click\n`,
        );
      },
    );

  const statusCommand = (verb: string, status: CampaignStatus, description: string) =>
    campaign
      .command(verb)
      .description(description)
      .requiredOption("--id <id>", "campaign id")
      .action(async (opts: { id: string }) => {
        const id = parseId("--id", opts.id);
        const result = await withAdminDb((db) =>
          setCampaignStatus(db, { id, status, actor: CLI_ACTOR }),
        );
        if (!result) throw new Error(`unknown campaign "${id}"`);
        process.stdout.write(
          result.changed
            ? `campaign ${id} is now ${status}\n`
            : `campaign ${id} was already ${status}\n`,
        );
      });
  statusCommand(
    "pause",
    "paused",
    "Pause a campaign: the ingest rejects its clicks until resumed.",
  );
  statusCommand("resume", "active", "Resume a paused campaign.");

  campaign
    .command("list")
    .description("List an advertiser's campaigns.")
    .requiredOption("--advertiser <id>", "advertiser id")
    .action(async (opts: { advertiser: string }) => {
      const advertiserId = parseId("--advertiser", opts.advertiser);
      const rows = await withAdminDb(async (db) => {
        if (!(await getAdvertiser(db, advertiserId))) {
          throw new Error(`unknown advertiser "${advertiserId}"`);
        }
        return listCampaignsOfAdvertiser(db, advertiserId);
      });
      for (const row of rows) {
        process.stdout.write(
          `${row.id}\t${row.status}\t${formatMicros(row.cpcMicros)}\t${row.landingUrl}\t${row.name}\n`,
        );
      }
    });
}
