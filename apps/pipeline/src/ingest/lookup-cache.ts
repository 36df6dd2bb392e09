/**
 * A small TTL cache for the ingest's database lookups (API keys, campaigns):
 * bounded in size, concurrent misses for one key share a single load, and
 * several misses can be loaded in one query.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    /** Loads several keys at once; keys missing from the result are cached as `missing`. */
    private readonly loadMany: (keys: string[]) => Promise<Map<string, V>>,
    private readonly missing: V,
  ) {}

  async getMany(keys: readonly string[], now = Date.now()): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const toLoad: string[] = [];
    const waits: Array<Promise<void>> = [];
    for (const key of new Set(keys)) {
      const hit = this.entries.get(key);
      if (hit && hit.expiresAt > now) {
        out.set(key, hit.value);
        continue;
      }
      const pending = this.loading.get(key);
      if (pending) waits.push(pending.then((v) => void out.set(key, v)));
      else toLoad.push(key);
    }
    if (toLoad.length === 0 && waits.length === 0) return out;
    if (toLoad.length > 0) {
      const batch = this.loadMany(toLoad);
      for (const key of toLoad) {
        const one = batch.then((found) => {
          const value = found.has(key) ? (found.get(key) as V) : this.missing;
          this.store(key, value);
          return value;
        });
        this.loading.set(key, one);
        waits.push(one.then((v) => void out.set(key, v)));
        void one.finally(() => this.loading.delete(key)).catch(() => undefined);
      }
    }
    await Promise.all(waits);
    return out;
  }

  async get(key: string, now = Date.now()): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    return (await this.getMany([key], now)).get(key) as V;
  }

  private store(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}
