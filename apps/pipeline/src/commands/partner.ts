import { addSigningSecret, createPartner, getPartner, revokePartner } from "@adclick/db/queries";
import { generateSigningSecret, sealSigningSecret } from "@adclick/shared/request-signing";
import type { Command } from "commander";
import { withAdminDb } from "../admin/db";
import { readConfig } from "../config";

const ID_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function positiveInt(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new Error(`${flag}: expected a positive integer, got "${value}"`);
  return Number(value);
}

export function registerPartnerCommand(program: Command): void {
  const partner = program.command("partner").description("Manage partners and their API keys.");

  partner
    .command("create")
    .description(
      "Create a partner; prints its new API key alone on the last line (shown once, stored hashed).",
    )
    .requiredOption("--name <name>", "display name")
    .option("--id <id>", "partner id (A-Z a-z 0-9 _ . -; default: generated)")
    .option(
      "--rate-limit <events-per-sec>",
      "sustained events per second (bursts up to twice that)",
      "5000",
    )
    .action(async (opts: { name: string; id?: string; rateLimit: string }) => {
      if (!opts.name.trim()) throw new Error("--name must not be empty");
      if (opts.id !== undefined && !ID_RE.test(opts.id))
        throw new Error(`--id: expected 1-64 characters of A-Z a-z 0-9 _ . -, got "${opts.id}"`);
      const rateLimitPerSec = positiveInt("--rate-limit", opts.rateLimit);
      const { partner: created, apiKey } = await withAdminDb(async (db) => {
        if (opts.id && (await getPartner(db, opts.id)))
          throw new Error(`partner "${opts.id}" already exists`);
        return createPartner(db, {
          ...(opts.id ? { id: opts.id } : {}),
          name: opts.name.trim(),
          rateLimitPerSec,
        });
      });
      process.stdout.write(
        `partner ${created.id} created (${rateLimitPerSec} events/s); its API key, shown only now:\n${apiKey}\n`,
      );
    });

  partner
    .command("revoke")
    .description(
      "Revoke a partner and all its API keys (effective on every ingest within seconds).",
    )
    .requiredOption("--id <id>", "partner id")
    .action(async (opts: { id: string }) => {
      const revoked = await withAdminDb((db) => revokePartner(db, opts.id));
      if (!revoked) throw new Error(`partner "${opts.id}" not found`);
      process.stdout.write(`partner ${opts.id} revoked\n`);
    });

  partner
    .command("signing-secret")
    .description(
      "Issue a request-signing secret (HMAC-SHA256, header X-Adclick-Signature); the previous one stays valid until the next rotation. Prints the secret alone on the last line.",
    )
    .requiredOption("--id <id>", "partner id")
    .option("--require", "reject this partner's unsigned requests from now on")
    .action(async (opts: { id: string; require?: boolean }) => {
      const config = readConfig();
      const secret = generateSigningSecret();
      await withAdminDb(async (db) => {
        const found = await getPartner(db, opts.id);
        if (!found) throw new Error(`partner "${opts.id}" not found`);
        if (found.revokedAt) throw new Error(`partner "${opts.id}" is revoked`);
        await addSigningSecret(
          db,
          opts.id,
          sealSigningSecret(config.APP_SECRET, secret),
          opts.require ? { require: true } : {},
        );
      });
      process.stdout.write(
        `signing secret issued for ${opts.id}${opts.require ? " (signatures now required)" : ""}; shown only now:\n${secret}\n`,
      );
    });
}
