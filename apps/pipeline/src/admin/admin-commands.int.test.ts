import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  findAdvertiserByToken,
  hashToken,
  listAuditForSubject,
  verifyUserPassword,
} from "@adclick/db/queries";
import { advertiserTokens, blocklist, campaigns, users } from "@adclick/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { type CliResult, runCli } from "./run-cli";

let stack: TestStack;
let conn: DbConnection;
const cli = (...args: string[]) => runCli(args, stack.env);

/** A failure is a non-zero exit with exactly one line on stderr. */
function expectFailure(result: CliResult, message: string | RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stderr.endsWith("\n")).toBe(true);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(message);
}

function expectSuccess(result: CliResult) {
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
}

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 2 });
  expectSuccess(await cli("advertiser", "create", "--id", "acme", "--name", "Acme Outdoor"));
});

afterAll(async () => {
  await conn?.close();
  await stack?.cleanup();
});

describe("adclick advertiser", () => {
  it("create refuses a duplicate id and a bad id", async () => {
    expectFailure(
      await cli("advertiser", "create", "--id", "acme", "--name", "Again"),
      'adclick: advertiser "acme" already exists',
    );
    expectFailure(
      await cli("advertiser", "create", "--id", "a{b}", "--name", "X"),
      /^adclick: --id must be 1-64 characters/,
    );
  });

  it("token prints a token alone on the last line that identifies the advertiser", async () => {
    const result = await cli("advertiser", "token", "--id", "acme");
    expectSuccess(result);
    const lines = result.stdout.trimEnd().split("\n");
    const token = lines.at(-1)!;
    expect(token).toMatch(/^adk_[A-Za-z0-9_-]{43}$/);
    expect(lines.length).toBeGreaterThan(1);
    expect(await findAdvertiserByToken(conn.db, token)).toMatchObject({ advertiserId: "acme" });
    expect(await findAdvertiserByToken(conn.db, `${token.slice(0, -1)}x`)).toBeNull();
    const stored = await conn.db.select().from(advertiserTokens);
    expect(stored.map((t) => t.tokenHash)).toContain(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("token refuses an unknown advertiser", async () => {
    expectFailure(
      await cli("advertiser", "token", "--id", "nobody"),
      'adclick: unknown advertiser "nobody"',
    );
  });
});

describe("adclick campaign", () => {
  const create = (...extra: string[]) =>
    cli(
      "campaign",
      "create",
      "--id",
      "acme-boots",
      "--advertiser",
      "acme",
      "--cpc-micros",
      "450000",
      "--landing-url",
      "https://acme.example/boots",
      ...extra,
    );

  it("creates an active campaign and refuses a duplicate", async () => {
    const result = await create("--name", "Boots");
    expectSuccess(result);
    expect(result.stdout).toBe("campaign acme-boots created for acme at $0.45 per click\n");
    const [row] = await conn.db.select().from(campaigns).where(eq(campaigns.id, "acme-boots"));
    expect(row).toMatchObject({
      advertiserId: "acme",
      name: "Boots",
      cpcMicros: 450_000,
      status: "active",
      landingUrl: "https://acme.example/boots",
    });
    expectFailure(await create(), 'adclick: campaign "acme-boots" already exists');
  });

  it("refuses an unknown advertiser, a bad URL and a bad price", async () => {
    const base = ["campaign", "create", "--id", "c-x"];
    const [advertiser, url, price] = await Promise.all([
      cli(
        ...base,
        "--advertiser",
        "nobody",
        "--cpc-micros",
        "1",
        "--landing-url",
        "https://x.example",
      ),
      cli(
        ...base,
        "--advertiser",
        "acme",
        "--cpc-micros",
        "1",
        "--landing-url",
        "javascript:alert(1)",
      ),
      cli(
        ...base,
        "--advertiser",
        "acme",
        "--cpc-micros",
        "0.5",
        "--landing-url",
        "https://x.example",
      ),
    ]);
    expectFailure(advertiser!, 'adclick: unknown advertiser "nobody"');
    expectFailure(url!, /^adclick: --landing-url must be an absolute http\(s\) URL/);
    expectFailure(price!, /^adclick: --cpc-micros must be a positive whole number/);
  });

  it("pauses and resumes with an audit trail, and refuses an unknown campaign", async () => {
    expectSuccess(await cli("campaign", "pause", "--id", "acme-boots"));
    const [paused] = await conn.db.select().from(campaigns).where(eq(campaigns.id, "acme-boots"));
    expect(paused?.status).toBe("paused");
    expectSuccess(await cli("campaign", "resume", "--id", "acme-boots"));
    const [resumed] = await conn.db.select().from(campaigns).where(eq(campaigns.id, "acme-boots"));
    expect(resumed?.status).toBe("active");
    const audit = await listAuditForSubject(conn.db, "campaign:acme-boots");
    expect(audit.map((a) => a.action).sort()).toEqual(["campaign.pause", "campaign.resume"]);
    expectFailure(
      await cli("campaign", "pause", "--id", "nope"),
      'adclick: unknown campaign "nope"',
    );
  });
});

describe("adclick blocklist", () => {
  it("adds, lists and removes entries, auditing each change", async () => {
    const ip = await cli("blocklist", "add", "--ip", "2001:DB8::0:1", "--reason", "click farm");
    expectSuccess(ip);
    expect(ip.stdout).toMatch(/^blocklist entry \d+ added: ip 2001:db8::1\n$/);
    expectSuccess(await cli("blocklist", "add", "--cidr", "203.0.113.0/24", "--reason", "hosting"));
    expectSuccess(await cli("blocklist", "add", "--user-agent", "EvilBot/", "--reason", "bot"));

    const list = await cli("blocklist", "list");
    expectSuccess(list);
    const rows = list.stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.split("\t"));
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual([
      ["ip", "2001:db8::1", "click farm"],
      ["cidr", "203.0.113.0/24", "hosting"],
      ["user_agent", "EvilBot/", "bot"],
    ]);

    const id = rows[0]![0]!;
    expectSuccess(await cli("blocklist", "remove", "--id", id));
    const [removed] = await conn.db
      .select()
      .from(blocklist)
      .where(eq(blocklist.id, Number(id)));
    expect(removed?.removedAt).toBeInstanceOf(Date);
    const audit = await listAuditForSubject(conn.db, `blocklist:${id}`);
    expect(audit.map((a) => a.action).sort()).toEqual(["blocklist.add", "blocklist.remove"]);
    expectFailure(
      await cli("blocklist", "remove", "--id", id),
      `adclick: no blocklist entry ${id} in force`,
    );
  });

  it("refuses bad or ambiguous entries and duplicates", async () => {
    const add = (...args: string[]) => cli("blocklist", "add", "--reason", "x", ...args);
    const [two, none, ip, cidr, duplicate] = await Promise.all([
      add("--ip", "1.2.3.4", "--cidr", "1.2.3.0/24"),
      add(),
      add("--ip", "300.1.1.1"),
      add("--cidr", "10.1.2.3/8"),
      add("--cidr", "203.0.113.0/24"),
    ]);
    expectFailure(two!, "adclick: give exactly one of --ip, --cidr or --user-agent");
    expectFailure(none!, "adclick: give exactly one of --ip, --cidr or --user-agent");
    expectFailure(ip!, /^adclick: --ip must be an IPv4 or IPv6 address/);
    expectFailure(cidr!, "adclick: --cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?");
    expectFailure(duplicate!, /^adclick: cidr "203.0.113.0\/24" is already blocked \(entry \d+\)/);
  });
});

describe("adclick user", () => {
  it("stores an argon2id hash that verifies, never the password", async () => {
    const result = await cli(
      "user",
      "create",
      "--email",
      "Ana@Acme.example",
      "--password",
      "correct horse battery",
      "--role",
      "advertiser",
      "--advertiser",
      "acme",
    );
    expectSuccess(result);
    const [row] = await conn.db.select().from(users).where(eq(users.email, "ana@acme.example"));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row?.passwordHash).not.toContain("correct horse battery");
    expect(await verifyUserPassword(conn.db, "ANA@acme.example", "correct horse battery")).toEqual({
      id: row!.id,
      email: "ana@acme.example",
      role: "advertiser",
      advertiserId: "acme",
    });
    expect(await verifyUserPassword(conn.db, "ana@acme.example", "wrong password")).toBeNull();
    expect(
      await verifyUserPassword(conn.db, "nobody@acme.example", "correct horse battery"),
    ).toBeNull();
  });

  it("refuses a duplicate email, a bad email, a missing advertiser and an unknown one", async () => {
    const user = (...args: string[]) => cli("user", "create", "--password", "long enough", ...args);
    const [duplicate, email, missing, unknown, role] = await Promise.all([
      user("--email", "ana@ACME.example", "--role", "analyst"),
      user("--email", "not-an-email", "--role", "analyst"),
      user("--email", "bo@acme.example", "--role", "advertiser"),
      user("--email", "bo@acme.example", "--role", "advertiser", "--advertiser", "nobody"),
      user("--email", "bo@acme.example", "--role", "root"),
    ]);
    expectFailure(duplicate!, "adclick: a user with email ana@acme.example already exists");
    expectFailure(email!, /^adclick: --email must be an email address/);
    expectFailure(missing!, "adclick: --advertiser is required for the advertiser role");
    expectFailure(unknown!, 'adclick: unknown advertiser "nobody"');
    expectFailure(role!, "adclick: --role must be one of advertiser|analyst|finance|admin");
  });
});

describe("--help", () => {
  it("explains each admin command and exits 0", async () => {
    const commands = [
      "advertiser token",
      "campaign create",
      "blocklist add",
      "user create",
      "seed",
      "review-sink",
    ];
    const results = await Promise.all(commands.map((c) => cli(...c.split(" "), "--help")));
    for (const result of results) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: adclick /);
    }
  });
});
