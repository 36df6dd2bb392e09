import type { StoredModel } from "@adclick/db/queries";
import {
  type ClickScorer,
  DEFAULT_DATA_CENTRES,
  LogisticModel,
  LogisticModelParams,
  ModelScorer,
} from "@adclick/shared";
import type { Logger } from "../runtime/logger";

/** A stored model as a scorer; a model this build cannot use is an error naming why. */
export function scorerFromStored(model: Pick<StoredModel, "version" | "params">): ModelScorer {
  const parsed = LogisticModelParams.safeParse(model.params);
  if (!parsed.success)
    throw new Error(
      `model version ${model.version} is not a logistic regression this build can read`,
    );
  return new ModelScorer(new LogisticModel(model.version, parsed.data), {
    dataCentres: DEFAULT_DATA_CENTRES,
  });
}

/**
 * Keeps the active fraud model fresh in a running process: re-reads which
 * version is active every `refreshMs` (≤ 30 s) and swaps the scorer in one
 * assignment, so the next batch scores with it — no restart. A failed read
 * or an unusable model keeps the current scorer and is logged.
 */
export class ModelSource {
  private scorer: ModelScorer | undefined;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly load: () => Promise<Pick<StoredModel, "version" | "params"> | null>,
    private readonly logger: Logger,
    private readonly refreshMs = 10_000,
    /** Called with the new version (null: none) whenever the scorer changes. */
    private readonly onChange: (version: number | null) => void = () => {},
  ) {
    if (refreshMs > 30_000) throw new Error("the model must be re-read at least every 30 s");
  }

  /** The scorer of the active model, or undefined while none is active. */
  get current(): ClickScorer | undefined {
    return this.scorer;
  }

  get version(): number | null {
    return this.scorer?.model.version ?? null;
  }

  async start(): Promise<void> {
    await this.refresh().catch((err) =>
      this.logger.error(
        { err },
        "reading the active fraud model failed; scoring with the rules alone",
      ),
    );
    this.timer = setInterval(() => {
      this.refresh().catch((err) =>
        this.logger.error(
          { err },
          "reading the active fraud model failed; keeping the current one",
        ),
      );
    }, this.refreshMs);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    const stored = await this.load();
    if (!stored) {
      if (this.scorer)
        this.logger.warn("no fraud model is active any more; scoring with the rules alone");
      if (this.scorer) this.onChange(null);
      this.scorer = undefined;
      return;
    }
    if (stored.version === this.scorer?.model.version) return;
    this.scorer = scorerFromStored(stored);
    this.onChange(stored.version);
    this.logger.info({ version: stored.version }, "fraud model activated");
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
