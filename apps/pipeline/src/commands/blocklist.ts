import {
  addBlocklistEntry,
  type BlocklistKind,
  listBlocklistEntries,
  removeBlocklistEntry,
} from "@adclick/db/queries";
import type { Command } from "commander";
import { CLI_ACTOR, withAdminDb } from "../admin/db";
import { parseCidr, parseIp, parseName, parseUserAgentPattern } from "../admin/validate";

interface AddOptions {
  ip?: string;
  cidr?: string;
  userAgent?: string;
  reason: string;
}

/** Exactly one of --ip, --cidr, --user-agent, validated and normalised. */
function entryFrom(opts: AddOptions): { kind: BlocklistKind; value: string } {
  const given = [opts.ip, opts.cidr, opts.userAgent].filter((v) => v !== undefined);
  if (given.length !== 1) throw new Error("give exactly one of --ip, --cidr or --user-agent");
  if (opts.ip !== undefined) return { kind: "ip", value: parseIp(opts.ip) };
  if (opts.cidr !== undefined) return { kind: "cidr", value: parseCidr(opts.cidr) };
  return { kind: "user_agent", value: parseUserAgentPattern(opts.userAgent!) };
}

export function registerBlocklistCommand(program: Command): void {
  const blocklist = program
    .command("blocklist")
    .description(
      "Manage the fraud blocklist (IPs, CIDR blocks, user agents); every change is audited.",
    );

  blocklist
    .command("add")
    .description(
      "Block an IP, a CIDR block or a user-agent pattern: matching clicks count as fraud.",
    )
    .option("--ip <ip>", "an IPv4 or IPv6 address")
    .option("--cidr <cidr>", "an IPv4 or IPv6 block, e.g. 203.0.113.0/24")
    .option("--user-agent <pattern>", "a user-agent pattern")
    .requiredOption("--reason <text>", "why, for the audit trail")
    .action(async (opts: AddOptions) => {
      const { kind, value } = entryFrom(opts);
      const reason = parseName("--reason", opts.reason);
      const result = await withAdminDb((db) =>
        addBlocklistEntry(db, { kind, value, reason, actor: CLI_ACTOR }),
      );
      if (!result.created) {
        throw new Error(`${kind} "${value}" is already blocked (entry ${result.entry.id})`);
      }
      process.stdout.write(`blocklist entry ${result.entry.id} added: ${kind} ${value}\n`);
    });

  blocklist
    .command("list")
    .description("List the entries in force, tab-separated: id, kind, value, reason, created at.")
    .action(async () => {
      const rows = await withAdminDb((db) => listBlocklistEntries(db));
      for (const row of rows) {
        process.stdout.write(
          `${row.id}\t${row.kind}\t${row.value}\t${row.reason}\t${row.createdAt.toISOString()}\n`,
        );
      }
    });

  blocklist
    .command("remove")
    .description("Remove an entry (kept in the audit trail).")
    .requiredOption("--id <id>", "entry id, as shown by blocklist list")
    .action(async (opts: { id: string }) => {
      if (!/^\d{1,15}$/.test(opts.id.trim())) {
        throw new Error(`--id must be a blocklist entry number, got "${opts.id}"`);
      }
      const id = Number(opts.id.trim());
      const removed = await withAdminDb((db) => removeBlocklistEntry(db, { id, actor: CLI_ACTOR }));
      if (!removed) throw new Error(`no blocklist entry ${id} in force`);
      process.stdout.write(`blocklist entry ${id} removed: ${removed.kind} ${removed.value}\n`);
    });
}
