/**
 * A value per key, kept for `ttlMs`: for what changes rarely but is read on every request in a rush
 * (which rooms guard a term, a section's term, an event's zones). Local to the process; a stale entry
 * only delays a change by `ttlMs`.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { at: number; value: V }>();

  constructor(private readonly ttlMs: number) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    return hit && Date.now() - hit.at < this.ttlMs ? hit.value : undefined;
  }

  set(key: K, value: V): void {
    this.entries.set(key, { at: Date.now(), value });
  }

  /** The cached value, or `load`'s, cached from now. */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    this.set(key, value);
    return value;
  }
}
