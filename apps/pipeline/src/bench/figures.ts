/**
 * What a bench measured, as data: each bench reports its figures here (one
 * JSON line each, appended to the file the suite names with `--figures`), and
 * the suite reads them back through the same schema. A figure that has a
 * ceiling carries it, measured in the same run; the targets it is judged
 * against are targets.ts's.
 */
import { appendFileSync } from "node:fs";
import { z } from "zod";

export const Figure = z.object({
  /** Stable id the targets table is keyed by, e.g. `ingest.batch.per_cpu_s`. */
  id: z.string().min(1),
  value: z.number(),
  unit: z.string(),
  /** The same-run ceiling this figure is a ratio to, when it has one. */
  ceiling: z.object({ name: z.string(), value: z.number().positive() }).optional(),
  note: z.string().optional(),
});
export type Figure = z.infer<typeof Figure>;

export const Row = z.object({
  id: z.string(),
  label: z.string(),
  value: z.number().nullable(),
  unit: z.string(),
  ceiling: z.object({ name: z.string(), value: z.number() }).nullable(),
  ratio: z.number().nullable(),
  target: z.string(),
  /** null when the figure was not measured in this run. */
  pass: z.boolean().nullable(),
  note: z.string().optional(),
});
export type Row = z.infer<typeof Row>;

export const BenchResult = z.object({
  kind: z.enum(["bench", "soak"]),
  startedAt: z.string(),
  finishedAt: z.string(),
  commit: z.string(),
  command: z.string(),
  quick: z.boolean(),
  node: z.string(),
  cores: z.number().int().positive(),
  loadAverage: z.object({
    before: z.array(z.number()).length(3),
    after: z.array(z.number()).length(3),
  }),
  rows: z.array(Row),
  figures: z.array(Figure),
  /** Soak-only details (latency, lag, memory, lost/duplicated). */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type BenchResult = z.infer<typeof BenchResult>;

export type ReportFigure = (figure: Figure) => void;

/** A reporter that appends each figure to `file` (none: figures are only printed by the bench). */
export function figureReporter(file: string | undefined): ReportFigure {
  return (figure) => {
    const valid = Figure.parse(figure);
    if (file) appendFileSync(file, `${JSON.stringify(valid)}\n`);
  };
}

/** Parses a figures file; a line that does not parse is an error naming it. */
export function parseFigures(text: string): Figure[] {
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = Figure.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`figure line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

/**
 * The peer row: our aggregator's events per CPU-second against a peer engine's
 * on the same job and topic (ratio = ours / peer).
 */
export function peerFigure(peer: string, oursPerCpuS: number, peerPerCpuS: number): Figure {
  return {
    id: `aggregate.peer.${peer}`,
    value: oursPerCpuS,
    unit: "events/CPU-s",
    ceiling: { name: `${peer} (same job, same topic)`, value: peerPerCpuS },
  };
}
