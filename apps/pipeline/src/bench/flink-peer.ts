/**
 * The aggregate bench's peer: the same 5-minute tumbling count per campaign (clicks and
 * distinct users by event time) as an Apache Flink job in a MiniCluster inside one JVM
 * with one task slot (infra/flink-peer). The job is built with Maven on first use, and
 * again only when its pom or sources change (a stamp file in its target/ holds their hash).
 * It reads the topic from the earliest offsets to the end offsets given, prints one line
 * per window and the JVM's own process CPU time at four marks.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runToCompletion } from "../services/processes";

const STAMP = ".adclick-stamp";
const MAIN_CLASS = "dev.adclick.flinkpeer.WindowCountJob";

export interface PartitionEnd {
  partition: number;
  /** The offset after the partition's last message when the run starts. */
  offset: number;
}

export interface WindowCount {
  campaignId: string;
  windowStartMs: number;
  clicks: number;
  users: number;
}

/** Process CPU (ns) and monotonic wall clock (ns) at the job's marks. */
export type MarkName = "main" | "submit" | "first" | "end";
export type Marks = Record<MarkName, { cpuNanos: number; wallNanos: number }>;

export interface FlinkPeerRun {
  /** Clicks counted over all windows. */
  events: number;
  /** JVM CPU from the first record decoded to the job's end. */
  cpuSeconds: number;
  wallSeconds: number;
  /** JVM CPU from its start to the job's end: start-up, MiniCluster and job submission included. */
  totalCpuSeconds: number;
  /** JVM CPU before the first record: start-up, MiniCluster start and job submission. */
  startupCpuSeconds: number;
  windows: WindowCount[];
}

/** Builds the job when it is missing or out of date. Returns true when Maven ran. */
export async function ensureFlinkPeer(dir: string): Promise<boolean> {
  const stamp = join(dir, "target", STAMP);
  const hash = sourceHash(dir);
  const jar = join(dir, "target", "flink-peer.jar");
  if (existsSync(jar) && existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash)
    return false;
  // clean: jars of an older pom must not stay on the classpath beside the new ones.
  await runToCompletion("mvn", ["-q", "-B", "-f", join(dir, "pom.xml"), "clean", "package"], {
    notInstalled: "Maven (mvn) is not installed: apt-get install -y maven",
    failed: (output, code) =>
      `Maven could not build the Flink peer (${code}): ${
        output
          .split("\n")
          .find((l) => l.includes("[ERROR]"))
          ?.trim() ?? output.trim().split("\n").pop()
      }`,
  });
  writeFileSync(stamp, `${hash}\n`);
  return true;
}

function sourceHash(dir: string): string {
  const h = createHash("sha256").update(readFileSync(join(dir, "pom.xml")));
  const src = join(dir, "src", "main", "java");
  const files = readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".java"))
    .sort();
  for (const f of files) h.update(f).update(readFileSync(join(src, f)));
  return h.digest("hex");
}

/** Runs the job over `topic` up to `ends` and returns its counts and CPU. */
export async function runFlinkPeer(o: {
  dir: string;
  brokers: string[];
  topic: string;
  ends: PartitionEnd[];
  /** How far behind the newest click a click's `ts` may be and still count. */
  maxOutOfOrderSeconds: number;
}): Promise<FlinkPeerRun> {
  const target = join(o.dir, "target");
  const args = [
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseParallelGC",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-cp",
    `${join(target, "flink-peer.jar")}:${join(target, "lib", "*")}`,
    MAIN_CLASS,
    o.brokers.join(","),
    o.topic,
    o.ends.map((e) => `${e.partition}:${e.offset}`).join(","),
    String(o.maxOutOfOrderSeconds),
  ];
  const child = spawn("java", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((res, rej) => {
    child.once("error", rej);
    child.once("close", res);
  });
  if (code !== 0)
    throw new Error(
      `the Flink peer exited with ${code}: ${err.trim().split("\n").slice(-15).join("\n")}`,
    );
  return summarise(parsePeerOutput(out));
}

/** Reads the job's `MARK` and `WINDOW` lines; anything else it printed is ignored. */
export function parsePeerOutput(stdout: string): { marks: Marks; windows: WindowCount[] } {
  const marks: Partial<Marks> = {};
  const windows: WindowCount[] = [];
  for (const line of stdout.split("\n")) {
    const mark = /^MARK (main|submit|first|end) (\d+) (-?\d+)$/.exec(line.trim());
    if (mark) {
      marks[mark[1] as MarkName] = { cpuNanos: Number(mark[2]), wallNanos: Number(mark[3]) };
      continue;
    }
    const w = /WINDOW (\S+) (-?\d+) (\d+) (\d+)$/.exec(line.trim());
    if (w)
      windows.push({
        campaignId: w[1]!,
        windowStartMs: Number(w[2]),
        clicks: Number(w[3]),
        users: Number(w[4]),
      });
  }
  for (const name of ["main", "submit", "first", "end"] as const)
    if (!marks[name]) throw new Error(`the Flink peer printed no "${name}" mark`);
  return { marks: marks as Marks, windows };
}

export function summarise(p: { marks: Marks; windows: WindowCount[] }): FlinkPeerRun {
  const { first, end } = p.marks;
  return {
    events: p.windows.reduce((n, w) => n + w.clicks, 0),
    cpuSeconds: (end.cpuNanos - first.cpuNanos) / 1e9,
    wallSeconds: (end.wallNanos - first.wallNanos) / 1e9,
    totalCpuSeconds: end.cpuNanos / 1e9,
    startupCpuSeconds: first.cpuNanos / 1e9,
    windows: p.windows,
  };
}

/** One line per campaign whose clicks over all windows differ from what the topic holds. */
export function clickMismatches(expected: Map<string, number>, windows: WindowCount[]): string[] {
  const counted = new Map<string, number>();
  for (const w of windows) counted.set(w.campaignId, (counted.get(w.campaignId) ?? 0) + w.clicks);
  const campaigns = new Set([...expected.keys(), ...counted.keys()]);
  return [...campaigns]
    .sort()
    .filter((c) => (expected.get(c) ?? 0) !== (counted.get(c) ?? 0))
    .map((c) => `${c}: topic holds ${expected.get(c) ?? 0}, Flink counted ${counted.get(c) ?? 0}`);
}

/** Runs the peer and prints its figures beside ours; a count that differs from the topic is printed loudly. */
export async function benchFlinkPeer(
  o: {
    dir: string;
    brokers: string[];
    topic: string;
    ends: PartitionEnd[];
    maxOutOfOrderSeconds: number;
    expected: Map<string, number>;
    /** Our aggregator's events per CPU-second in the same run. */
    oursPerCpuSecond: number;
  },
  print: (line: string) => void,
): Promise<FlinkPeerRun> {
  if (await ensureFlinkPeer(o.dir)) print(`built the Flink peer in ${o.dir}`);
  const run = await runFlinkPeer(o);
  const perCpu = run.events / run.cpuSeconds;
  print(
    `Flink peer (MiniCluster, 1 slot; Jackson decode, 5-min event-time windows, exact distinct users): ${run.events} events, ${Math.round(perCpu)} events per CPU-second of the JVM (${run.cpuSeconds.toFixed(2)} s CPU over ${run.wallSeconds.toFixed(2)} s from the first record; ${Math.round(run.events / run.totalCpuSeconds)} per CPU-second counting the JVM's ${run.startupCpuSeconds.toFixed(2)} s of start-up and job submission), ${run.windows.length} windows`,
  );
  print(
    `  ours / Flink: ${(o.oursPerCpuSecond / perCpu).toFixed(2)} (${Math.round(o.oursPerCpuSecond)} vs ${Math.round(perCpu)} events per CPU-second)`,
  );
  const bad = clickMismatches(o.expected, run.windows);
  if (bad.length)
    print(
      `  !!! FLINK PEER MISMATCH: ${bad.length} campaigns differ from the topic:\n${bad
        .slice(0, 10)
        .map((b) => `  !!! ${b}`)
        .join("\n")}`,
    );
  else print(`  Flink's clicks per campaign match the topic (${o.expected.size} campaigns)`);
  return run;
}
