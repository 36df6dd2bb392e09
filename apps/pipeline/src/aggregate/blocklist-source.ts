import { type BlocklistEntry, BlocklistMatcher } from "@adclick/shared";
import type { Logger } from "../runtime/logger";

/**
 * Keeps the blocklist matcher fresh: reloads the active entries every
 * `refreshMs` (≤ 30 s, C8) and swaps the matcher in one assignment. A failed
 * reload keeps the previous list and is logged.
 */
export class BlocklistSource {
  private current = new BlocklistMatcher([]);
  private timer: NodeJS.Timeout | null = null;
  private signature = "";

  constructor(
    private readonly load: () => Promise<BlocklistEntry[]>,
    private readonly logger: Logger,
    private readonly refreshMs = 10_000,
  ) {}

  get matcher(): BlocklistMatcher {
    return this.current;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err) =>
        this.logger.error({ err }, "blocklist refresh failed; keeping the previous list"),
      );
    }, this.refreshMs);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    const entries = await this.load();
    const signature = entries.map((e) => `${e.kind}\u0000${e.value}`).join("\u0001");
    if (signature === this.signature) return;
    this.signature = signature;
    this.current = new BlocklistMatcher(entries);
    if (this.current.invalid.length)
      this.logger.warn(
        { invalid: this.current.invalid },
        "skipping blocklist entries that do not parse",
      );
    this.logger.info({ entries: this.current.size }, "blocklist loaded");
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
