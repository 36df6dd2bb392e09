import {
  activateFraudModel,
  activeFraudModel,
  getFraudModel,
  insertFraudModel,
  listDecidedReviewClicks,
  listDecisionsSince,
  listFraudModels,
} from "@adclick/db/queries";
import { ClickRecord, FEATURE_NAMES, formatQuality, qualityOnDecisions } from "@adclick/shared";
import type { Command } from "commander";
import { z } from "zod";
import { CLI_ACTOR, withAdminDb } from "../admin/db";
import { type AnalystExample, trainModel } from "../fraud/train-model";

interface TrainOptions {
  seed: string;
  steps: string;
  activate?: boolean;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

const StoredFlaggedClick = ClickRecord.extend({
  features: z.array(z.number()).length(FEATURE_NAMES.length),
});

/** Analysts' decisions whose stored click carries the features it was flagged with. */
export function analystExamples(
  rows: ReadonlyArray<{ click: Record<string, unknown>; verdict: "clean" | "fraud" }>,
): { examples: AnalystExample[]; skipped: number } {
  const examples: AnalystExample[] = [];
  let skipped = 0;
  for (const r of rows) {
    const parsed = StoredFlaggedClick.safeParse(r.click);
    if (!parsed.success) {
      skipped++;
      continue;
    }
    const { features, ...click } = parsed.data;
    examples.push({ click, features, label: r.verdict === "fraud" ? 1 : 0 });
  }
  return { examples, skipped };
}

export function registerFraudCommand(program: Command): void {
  const fraud = program
    .command("fraud")
    .description("Train, store and activate the fraud model that scores every click.");

  fraud
    .command("train")
    .description(
      "Fit a logistic regression on a simulated day's ground truth plus the analysts' verdicts, print its held-out precision, recall, ROC AUC and confusion matrices at 0.3 and 0.7, and store it as a new version (not active until `fraud activate`).",
    )
    .option("--seed <n>", "seed of the simulated training day (the held-out day uses another)", "1")
    .option("--steps <n>", "gradient steps", "300")
    .option("--activate", "activate the new version at once")
    .action(async (opts: TrainOptions) => {
      const seed = positiveInt("--seed", opts.seed);
      const steps = positiveInt("--steps", opts.steps);
      await withAdminDb(async (db) => {
        const { examples, skipped } = analystExamples(await listDecidedReviewClicks(db));
        const started = Date.now();
        const trained = trainModel({ seed, steps, analyst: examples });
        const version = await insertFraudModel(db, {
          kind: trained.params.kind,
          params: trained.params,
          quality: { ...trained.quality, bySource: trained.bySource },
          training: {
            seed,
            steps,
            rows: trained.trainingRows,
            analystVerdicts: trained.analystExamples,
            analystVerdictsWithoutFeatures: skipped,
            seconds: (Date.now() - started) / 1000,
          },
        });
        if (opts.activate) await activateFraudModel(db, version, CLI_ACTOR);
        process.stdout.write(
          `${formatQuality(trained.quality)}\ntrained on ${trained.trainingRows} rows (${trained.analystExamples} analysts' verdicts, ${skipped} without stored features skipped)\nmodel version ${version} stored${opts.activate ? " and activated" : `; activate it with: adclick fraud activate --version ${version}`}\n${version}\n`,
        );
      });
    });

  fraud
    .command("activate")
    .description(
      "Make a stored model version the active one; running aggregators switch to it within 30 seconds.",
    )
    .requiredOption("--version <n>", "the model version printed by `fraud train`")
    .action(async (opts: { version: string }) => {
      const version = positiveInt("--version", opts.version);
      await withAdminDb(async (db) => {
        if (!(await getFraudModel(db, version))) {
          const known = (await listFraudModels(db)).map((m) => m.version);
          throw new Error(
            `there is no model version ${version}${known.length ? ` (stored: ${known.join(", ")})` : "; run `adclick fraud train` first"}`,
          );
        }
        await activateFraudModel(db, version, CLI_ACTOR);
      });
      process.stdout.write(`model version ${version} is active\n`);
    });

  fraud
    .command("status")
    .description(
      "The active model, its held-out quality when trained, and how it does on the analysts' decisions made since.",
    )
    .action(async () => {
      await withAdminDb(async (db) => {
        const active = await activeFraudModel(db);
        if (!active) {
          process.stdout.write("no model is active: clicks are scored by the rules alone\n");
          return;
        }
        const decisions = await listDecisionsSince(db, active.trainedAt);
        const q = qualityOnDecisions(`v${active.version}`, decisions);
        const held = active.quality as { rocAuc?: number };
        process.stdout.write(
          `model version ${active.version} active since ${active.activatedAt.toISOString()} (trained ${active.trainedAt.toISOString()}, held-out ROC AUC ${held.rocAuc?.toFixed(4) ?? "?"})\n` +
            (q.decided === 0
              ? "no analyst has decided a click it flagged since it was trained\n"
              : `on ${q.decided} analysts' decisions since: ${formatQuality(q)}\n`),
        );
      });
    });
}
