/**
 * Issue 14 defect 8: every role started at once on a fresh topic prefix, as a
 * docker-compose deployment does. Each role creates the topics it needs while
 * the others do the same; none may die of it, and all become ready.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";

const BIN = fileURLToPath(new URL("../../bin/adclick.mjs", import.meta.url));
const ROUNDS = 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

interface Role {
  name: string;
  port: number;
  child: ChildProcess;
  stderr: string;
  exit: Promise<number | null>;
  exitCode: number | null | undefined;
}

async function startRole(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<Role> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const role: Role = {
    name,
    port,
    child,
    stderr: "",
    exit: Promise.resolve(null),
    exitCode: undefined,
  };
  child.stderr?.on("data", (chunk: Buffer) => {
    role.stderr += chunk.toString();
  });
  // "close", not "exit": the stop order is read from stderr, which must be read to its end.
  role.exit = new Promise((resolve) =>
    child.once("close", (code) => {
      role.exitCode = code;
      resolve(code);
    }),
  );
  return role;
}

async function isReady(role: Role): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${role.port}/readyz`).catch(() => null);
  return res?.status === 200;
}

describe("roles started together on a fresh topic prefix", () => {
  let stack: TestStack;
  const all: Role[] = [];

  beforeAll(async () => {
    stack = await createTestStack();
  });

  afterAll(async () => {
    for (const r of all) if (r.exitCode === undefined) r.child.kill("SIGKILL");
    await stack?.cleanup();
  });

  it(`ingest, aggregate, archive and review-sink all stay up and become ready, ${ROUNDS} times`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [ingestPort, aggregatePort, archivePort, sinkPort] = await Promise.all(
        [0, 1, 2, 3].map(() => freePort()),
      );
      const env = {
        ...stack.env,
        KAFKA_TOPIC_PREFIX: `${stack.topicPrefix}start${round}.`,
        INGEST_PORT: String(ingestPort),
        LOG_LEVEL: "warn",
      };
      const roles = await Promise.all([
        startRole("ingest", ["ingest"], env, ingestPort!),
        startRole(
          "aggregate",
          ["aggregate", "--ops-port", String(aggregatePort)],
          env,
          aggregatePort!,
        ),
        startRole("archive", ["archive", "--ops-port", String(archivePort)], env, archivePort!),
        startRole("review-sink", ["review-sink", "--ops-port", String(sinkPort)], env, sinkPort!),
      ]);
      all.push(...roles);

      const deadline = Date.now() + 120_000;
      const ready = new Set<string>();
      while (ready.size < roles.length && Date.now() < deadline) {
        const died = roles.filter((r) => r.exitCode !== undefined);
        expect(
          died.map((r) => `${r.name} exited ${r.exitCode}: ${r.stderr.trim().split("\n").at(-1)}`),
          `round ${round}`,
        ).toEqual([]);
        for (const r of roles) if (!ready.has(r.name) && (await isReady(r))) ready.add(r.name);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect([...ready].sort(), `round ${round}`).toEqual([
        "aggregate",
        "archive",
        "ingest",
        "review-sink",
      ]);

      for (const r of roles) r.child.kill("SIGTERM");
      const codes = await Promise.all(roles.map((r) => r.exit));
      expect(
        Object.fromEntries(roles.map((r, i) => [r.name, codes[i]])),
        roles.map((r) => `${r.name}: ${r.stderr.trim().split("\n").at(-1) ?? ""}`).join("\n"),
      ).toEqual({ ingest: 0, aggregate: 0, archive: 0, "review-sink": 0 });
    }
  }, 600_000);

  it("`adclick run` composes the roles on one set of shared clients and stops them all on SIGTERM", async () => {
    const [port, opsPort] = await Promise.all([freePort(), freePort()]);
    const env = {
      ...stack.env,
      KAFKA_TOPIC_PREFIX: `${stack.topicPrefix}run.`,
      INGEST_PORT: String(port),
      LOG_LEVEL: "info",
    };
    const run = await startRole(
      "run",
      ["run", "--roles", "ingest,aggregate,archive,review-sink", "--ops-port", String(opsPort)],
      env,
      port,
    );
    all.push(run);
    const deadline = Date.now() + 120_000;
    while (!(await isReady(run))) {
      expect(run.exitCode, run.stderr.slice(-2000)).toBeUndefined();
      if (Date.now() > deadline) throw new Error(`not ready: ${run.stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const body = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as {
      components: Record<string, boolean>;
    };
    expect(body.components).toEqual({
      clients: true,
      aggregator: true,
      archiver: true,
      "review-sink": true,
      ingest: true,
    });
    // /metrics is served on the ops port only, every series labelled with the process's role.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const ops = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
    expect(ops.status).toBe(200);
    const metrics = await ops.text();
    expect(metrics).toContain('adclick_process_cpu_seconds_total{role="run"}');
    expect(metrics).toMatch(
      /^adclick_aggregator_events_total|# TYPE adclick_aggregator_events_total counter/m,
    );
    expect(metrics).toContain("# TYPE adclick_ingest_backpressure_total counter");
    expect(metrics).toContain("# TYPE adclick_archiver_events_total counter");
    expect((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status).toBe(200);
    run.child.kill("SIGTERM");
    expect(await run.exit, run.stderr.slice(-2000)).toBe(0);
    // The runner stops in reverse start order: the shared clients close last.
    const stopped = [...run.stderr.matchAll(/"component":"([^"]+)"[^\n]*"msg":"stopped"/g)].map(
      (m) => m[1],
    );
    expect(
      stopped.join(","),
      run.stderr
        .split("\n")
        .filter((l) => l.includes("stopped"))
        .join("\n"),
    ).toBe("ingest,review-sink,archiver,aggregator,clients");
  }, 180_000);
});
