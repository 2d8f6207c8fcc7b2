/**
 * A value per key, kept for `ttlMs`: for what changes rarely but is read on every request in a rush
 * (which rooms guard a term, a section's term, an event's zones). Local to the process; a stale entry
 * only delays a change by `ttlMs`.
 *
 * Concurrent misses of a key share one load: when an entry expires under a rush, the hundreds of
 * requests reading it in the next few milliseconds wait for one query, not one each. With `refreshAhead`,
 * an entry past half its life is still served while one load refreshes it in the background, so a key read
 * without pause never makes a request wait for it (measured in the rush: without either, half the
 * submissions waited on MySQL for their sections' terms, ~140 ms each, while the database was busiest).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();
  /** The load under way for a key: its value, or undefined when the load did not find the key. */
  private readonly loading = new Map<K, Promise<{ value: V } | undefined>>();

  constructor(
    private readonly ttlMs: number,
    private readonly opts: { refreshAhead?: boolean } = {},
  ) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    return hit && Date.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  set(key: K, value: V, at = Date.now()): void {
    this.entries.set(key, { at, value });
  }

  /**
   * The cached value, or `load`'s, cached from when the load began. A load that answers undefined is not
   * cached (an unknown id just created is found by the next read).
   */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    // The common case on a hot path, a young entry, without getMany's bookkeeping.
    const hit = this.entries.get(key);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (hit && age < (this.opts.refreshAhead ? this.ttlMs / 2 : this.ttlMs)) return hit.value;
    const got = await this.getMany([key], async () => {
      const value = await load();
      return new Map(value === undefined ? [] : [[key, value]]);
    });
    return got.get(key) as V;
  }

  /**
   * Each key's value: cached ones as they are, the others from one call of `load` (which leaves out
   * the keys it does not find; they are absent from the answer and not cached). A key another call is
   * already loading waits for that load.
   */
  async getMany(keys: readonly K[], load: (missing: K[]) => Promise<Map<K, V>>): Promise<Map<K, V>> {
    const out = new Map<K, V>();
    const missing: K[] = [];
    const refresh: K[] = [];
    const waits: Promise<void>[] = [];
    const now = Date.now();
    for (const key of keys) {
      const hit = this.entries.get(key);
      const age = hit ? now - hit.at : Infinity;
      if (hit && age < this.ttlMs) {
        out.set(key, hit.value);
        if (this.opts.refreshAhead && age >= this.ttlMs / 2 && !this.loading.has(key)) refresh.push(key);
        continue;
      }
      const pending = this.loading.get(key);
      if (pending) {
        waits.push(
          pending.then((found) => {
            if (found) out.set(key, found.value);
          }),
        );
      } else missing.push(key);
    }
    // A failed refresh is not the reader's failure: the entry stays until it expires, and a later read loads.
    if (refresh.length > 0) this.load(refresh, load).catch(() => undefined);
    if (missing.length > 0) {
      waits.push(
        this.load(missing, load).then((got) => {
          for (const [key, value] of got) out.set(key, value);
        }),
      );
    }
    await Promise.all(waits);
    return out;
  }

  private load(keys: K[], load: (missing: K[]) => Promise<Map<K, V>>): Promise<Map<K, V>> {
    const startedAt = Date.now();
    const loaded = load(keys).then((got) => {
      // As of when the load began: what it read may have changed since.
      for (const [key, value] of got) this.set(key, value, startedAt);
      return got;
    });
    for (const key of keys) {
      const mine = loaded.then((got) => (got.has(key) ? { value: got.get(key) as V } : undefined));
      mine.catch(() => undefined); // its waiters see the failure; with none, it is not unhandled
      this.loading.set(key, mine);
      void mine
        .finally(() => {
          if (this.loading.get(key) === mine) this.loading.delete(key);
        })
        .catch(() => undefined);
    }
    return loaded;
  }
}
