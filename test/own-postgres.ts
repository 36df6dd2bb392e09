/**
 * A PostgreSQL cluster of the test's own (initdb + pg_ctl from the machine's
 * PostgreSQL binaries, its own port and data directory), so a test can stop
 * and start Postgres without touching the machine's server.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./processes";

export interface OwnPostgres {
  /** Base URL (database `postgres`), trust authentication. */
  url: string;
  port: number;
  dataDir: string;
  start(): void;
  /** Fast shutdown: connections are cut, as when the server goes away. */
  stop(): void;
  /** Stops the cluster and deletes its data directory. */
  destroy(): void;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) throw new Error(`no PostgreSQL binaries under ${root}`);
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no pg_ctl under ${root}/*/bin`);
  return join(root, versions[0]!, "bin");
}

/** PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` user. */
function asServerUser(): {
  wrap(cmd: string, args: string[]): [string, string[]];
  uid?: number;
  gid?: number;
} {
  if (userInfo().uid !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { wrap: (cmd, args) => ["runuser", ["-u", "postgres", "--", cmd, ...args]], uid, gid };
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBin();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "adclick-test-pg-"));
  const user = asServerUser();
  if (user.uid !== undefined && user.gid !== undefined) chownSync(dataDir, user.uid, user.gid);
  const run = (cmd: string, args: string[]) => {
    const [c, a] = user.wrap(join(bin, cmd), args);
    const r = spawnSync(c, a, { encoding: "utf8", cwd: tmpdir() });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-k ${dataDir}`,
    "-c fsync=off",
    "-c max_connections=60",
    "-c shared_buffers=32MB",
  ].join(" ");
  const cluster: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start: () =>
      run("pg_ctl", [
        "-D",
        dataDir,
        "-o",
        options,
        "-l",
        join(dataDir, "server.log"),
        "-w",
        "start",
      ]),
    stop: () => run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]),
    destroy() {
      if (!dataDir.includes("adclick-test-pg-")) throw new Error(`refusing to delete ${dataDir}`);
      const status = spawnSync(...user.wrap(join(bin, "pg_ctl"), ["-D", dataDir, "status"]));
      if (status.status === 0) cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
