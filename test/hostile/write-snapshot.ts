import { scanKeys, type Redis } from '../../core/redis.js';
import type { Knex } from 'knex';

/**
 * What a request could have written, counted cheaply enough to take before and after every batch: the
 * rows and the checksum of every table (two queries), and in Redis the places of every room's queue and the jobs
 * ever added to every BullMQ queue (its `id` counter only rises).
 */
export type Snapshot = Record<string, number>;

/** Tables whose rows only ever describe a refusal or bookkeeping, not something the request did. */
const NOT_WRITES = new Set(['knex_migrations', 'knex_migrations_lock']);

/** The parts of a room's keys that hold people: a place, an admission, a ticket. */
const PLACE_PARTS = new Set(['users', 'tickets', 'joined', 'active', 'tokens', 'admitted']);

export class WriteSnapshots {
  private countSql: string | undefined;
  private checksumSql: string | undefined;

  constructor(
    private readonly db: Knex,
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(): Promise<Snapshot> {
    const [rows, redis] = await Promise.all([this.rows(), this.redisCounts()]);
    return { ...rows, ...redis };
  }

  private async rows(): Promise<Snapshot> {
    if (!this.countSql) {
      const tables = (await this.db('information_schema.tables')
        .where({ table_schema: this.db.raw('DATABASE()'), table_type: 'BASE TABLE' })
        .pluck('table_name')) as string[];
      const counted = tables.filter((t) => !NOT_WRITES.has(t)).sort();
      this.checksumSql = `CHECKSUM TABLE ${counted.map((t) => `\`${t}\``).join(', ')}`;
      this.countSql = `SELECT ${counted.map((t) => `(SELECT COUNT(*) FROM \`${t}\`) AS \`${t}\``).join(', ')}`;
    }
    const [[result], [sums]] = (await Promise.all([
      this.db.raw(this.countSql),
      // Catches an UPDATE too, which a count can't; a full read of each table, small in a test database.
      this.db.raw(this.checksumSql ?? ''),
    ])) as [[Record<string, number | string>[]], [{ Table: string; Checksum: number | string | null }[]]];
    const out: Snapshot = {};
    for (const [table, n] of Object.entries(result[0] ?? {})) out[`mysql ${table}`] = Number(n);
    for (const row of sums)
      out[`mysql ${row.Table.split('.').pop() ?? ''} checksum`] = Number(row.Checksum ?? 0);
    return out;
  }

  private async redisCounts(): Promise<Snapshot> {
    const keys: string[] = [];
    for await (const batch of scanKeys(this.redis, `${this.prefix}:*`)) keys.push(...batch);
    // A room's own parts (`<prefix>:{r:<id>}:<part>`), not its commit queue's keys under the same tag.
    const places = keys.filter((k) => {
      const m = /^[^:]+:\{r:[^}]+\}:([^:]+)$/.exec(k);
      return m !== null && PLACE_PARTS.has(m[1] as string);
    });
    // BullMQ's job id counter of each queue: `<prefix>:{<tag>}:bull:<queue>:id`.
    const jobCounters = keys.filter((k) => /^[^:]+:\{[^}]+\}:bull:[^:]+:id$/.test(k));
    // One command each, not a pipeline: on a Redis Cluster the keys sit on different shards.
    const replies = await Promise.all([
      ...places.map((k) => this.redis.eval(SIZE_OF, 1, k)),
      ...jobCounters.map((k) => this.redis.get(k)),
    ]);
    const out: Snapshot = {};
    [...places, ...jobCounters].forEach((k, i) => {
      out[`redis ${k.slice(this.prefix.length + 1)}`] = Number(replies[i] ?? 0);
    });
    return out;
  }
}

/** The size of a key whatever its type, in one round trip. */
const SIZE_OF = `
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'hash' then return redis.call('HLEN', KEYS[1]) end
if t == 'zset' then return redis.call('ZCARD', KEYS[1]) end
if t == 'set' then return redis.call('SCARD', KEYS[1]) end
if t == 'list' then return redis.call('LLEN', KEYS[1]) end
if t == 'string' then return 1 end
return 0`;

/** The counts that changed between two snapshots, as `name: before → after`; empty when none did. */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((n) => (before[n] ?? 0) !== (after[n] ?? 0))
    .map((n) => `${n}: ${before[n] ?? 0} → ${after[n] ?? 0}`);
}
