import type { Database } from "@adclick/db/client";
import {
  addBlocklistEntry,
  createAdvertiser,
  createCampaign,
  createPartner,
  createPartnerApiKey,
  createUser,
  findPartnerByKeyHash,
  findUserByEmail,
  getPartner,
  hashApiKey,
} from "@adclick/db/queries";
import { sql } from "drizzle-orm";
import {
  DEMO_ADVERTISERS,
  DEMO_BLOCKLIST,
  DEMO_CAMPAIGNS,
  DEMO_PARTNERS,
  DEMO_PASSWORD,
  DEMO_USERS,
} from "./demo-data";
import {
  type DemoPartnerKeys,
  readDemoPartnerKeys,
  writeDemoPartnerKeys,
} from "./demo-partner-keys";

export interface SeedSummary {
  advertisersCreated: number;
  campaignsCreated: number;
  partnersCreated: number;
  keysIssued: number;
  usersCreated: number;
  blocklistAdded: number;
}

/**
 * Creates the demo world (demo-data.ts) where it is missing and leaves
 * everything that exists alone, so a second run changes nothing. Partner keys
 * already in `keysFile` that still work are kept; a missing or dead key gets a
 * new one. One transaction under an advisory lock, so two seeds cannot race;
 * the key file is written before the commit, so it never names a key the
 * database lacks for long (a failed commit leaves keys the next seed replaces).
 */
export async function seedDemoData(
  db: Database,
  options: { keysFile: string; actor: string },
): Promise<SeedSummary> {
  const stored = await readDemoPartnerKeys(options.keysFile);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('adclick:seed'))`);
    const summary: SeedSummary = {
      advertisersCreated: 0,
      campaignsCreated: 0,
      partnersCreated: 0,
      keysIssued: 0,
      usersCreated: 0,
      blocklistAdded: 0,
    };

    for (const advertiser of DEMO_ADVERTISERS) {
      if (await createAdvertiser(tx, advertiser)) summary.advertisersCreated++;
    }
    for (const campaign of DEMO_CAMPAIGNS) {
      if (await createCampaign(tx, campaign)) summary.campaignsCreated++;
    }

    const keys: DemoPartnerKeys = { partners: [] };
    for (const demo of DEMO_PARTNERS) {
      const known = stored?.partners.find((p) => p.partner_id === demo.id)?.api_key;
      const existing = await getPartner(tx, demo.id);
      let apiKey: string;
      if (!existing) {
        ({ apiKey } = await createPartner(tx, { id: demo.id, name: demo.name }));
        summary.partnersCreated++;
        summary.keysIssued++;
      } else if (
        known &&
        (await findPartnerByKeyHash(tx, hashApiKey(known)))?.partnerId === demo.id
      ) {
        apiKey = known;
      } else if (existing.revokedAt) {
        throw new Error(`demo partner "${demo.id}" is revoked; the simulator needs it`);
      } else {
        apiKey = await createPartnerApiKey(tx, demo.id);
        summary.keysIssued++;
      }
      keys.partners.push({
        partner_id: demo.id,
        name: existing?.name ?? demo.name,
        api_key: apiKey,
      });
    }

    for (const user of DEMO_USERS) {
      if (await findUserByEmail(tx, user.email)) continue;
      if (await createUser(tx, { ...user, password: DEMO_PASSWORD })) summary.usersCreated++;
    }
    for (const entry of DEMO_BLOCKLIST) {
      const { created } = await addBlocklistEntry(tx, { ...entry, actor: options.actor });
      if (created) summary.blocklistAdded++;
    }

    if (summary.keysIssued > 0 || JSON.stringify(stored) !== JSON.stringify(keys)) {
      await writeDemoPartnerKeys(options.keysFile, keys);
    }
    return summary;
  });
}
