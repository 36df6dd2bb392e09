/**
 * `npm run bench` (`adclick bench suite`): every bench in a process of its own,
 * one after the other, each appending its figures to one file (figures.ts);
 * then one table of every figure against its same-run ceiling and target, also
 * written as JSON under bench/results/. The benches' own lines still print.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFigures } from "./figures";
import { loadAverage, machine, REPO_ROOT, shortCommit, writeResult } from "./run-info";
import { renderNotes, renderTable } from "./table";
import { judge } from "./targets";

export interface SuiteOptions {
  quick: boolean;
  peer?: string;
}

interface Step {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

const ADCLICK = join(REPO_ROOT, "apps/pipeline/bin/adclick.mjs");

/** The benches and their sizes; `--quick` keeps every figure at smaller sizes. */
export function suiteSteps(o: SuiteOptions): Step[] {
  const q = o.quick;
  const peer = o.peer ? ["--peer", o.peer] : [];
  return [
    { name: "ingest", args: [ADCLICK, "bench", "ingest", "--seconds", q ? "3" : "10"] },
    {
      name: "aggregate",
      args: [
        ADCLICK,
        "bench",
        "aggregate",
        "--events",
        q ? "40000" : "300000",
        "--latency-seconds",
        q ? "4" : "15",
        ...peer,
      ],
    },
    { name: "batch", args: [ADCLICK, "bench", "batch", "--events", q ? "1000000" : "10000000"] },
    {
      name: "web",
      args: ["--import", "tsx", join(REPO_ROOT, "apps/web/bench/web-bench.ts")],
      env: q ? { BENCH_CAMPAIGNS: "300" } : {},
    },
  ];
}

function runStep(step: Step, figuresFile: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...step.args, "--figures", figuresFile], {
      cwd: REPO_ROOT,
      stdio: "inherit",
      env: { ...process.env, ...step.env },
    });
    child.once("error", reject);
    child.once("exit", resolve);
  });
}

/** Runs the suite; true when every bench ran (a missed target is a figure, not a failure). */
export async function runSuite(o: SuiteOptions, print: (line: string) => void): Promise<boolean> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  const scratch = await mkdtemp(join(tmpdir(), "adclick-suite-"));
  const figuresFile = join(scratch, "figures.jsonl");
  const failed: string[] = [];
  try {
    for (const step of suiteSteps(o)) {
      print(`\n[bench] ${step.name}`);
      const code = await runStep(step, figuresFile);
      if (code !== 0) {
        failed.push(step.name);
        print(`[bench] ${step.name} exited with ${code}; its figures are missing below`);
      }
    }
    const figures = parseFigures(await readFile(figuresFile, "utf8").catch(() => ""));
    const wanted = new Set(o.peer ? [`aggregate.peer.${o.peer}`] : []);
    const rows = judge(figures, undefined, wanted);
    const loadAfter = loadAverage();
    const { node, cores } = machine();
    const commit = shortCommit();
    const path = writeResult({
      kind: "bench",
      startedAt,
      finishedAt: new Date().toISOString(),
      commit,
      command: [
        "npm run bench --",
        ...(o.quick ? ["--quick"] : []),
        ...(o.peer ? ["--peer", o.peer] : []),
      ].join(" "),
      quick: o.quick,
      node,
      cores,
      loadAverage: { before: loadBefore, after: loadAfter },
      rows,
      figures,
      ...(failed.length ? { details: { failed } } : {}),
    });
    print(
      `\nadclick bench${o.quick ? " --quick" : ""} — commit ${commit}, ${cores} cores, node ${node}, load average ${loadBefore.join(" ")} → ${loadAfter.join(" ")}`,
    );
    print(renderTable(rows));
    for (const line of renderNotes(rows)) print(line);
    print(`\nwritten to ${path}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return failed.length === 0;
}
