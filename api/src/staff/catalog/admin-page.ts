import type { Knex } from 'knex';
import { z } from 'zod';
import { decimalId, decimalLimit } from '../../../../core/http/decimal-id.js';

/**
 * Paging fields every staff listing takes: keyset on id (`after` = the last id seen), so pages never drift;
 * `order=newest` lists the most recently created first (the console's default: staff mostly work on what
 * they just made), `after` then meaning "older than".
 */
export const pageFields = {
  after: decimalId.optional(),
  limit: decimalLimit(100, 50),
  order: z.enum(['oldest', 'newest']).default('oldest'),
};
type Order = z.output<typeof pageFields.order>;

export interface Page<T> {
  items: T[];
  /** The `after` to ask for the next page, or null on the last one. */
  next: number | null;
}

/**
 * Runs a listing query one page at a time, ordered by `idColumn` (either way); fetches one extra row to know whether
 * another page follows without a COUNT.
 */
export async function keysetPage<R extends { id: number }, T>(
  query: Knex.QueryBuilder,
  idColumn: string,
  page: { after?: number | undefined; limit: number; order?: Order },
  map: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  const newest = page.order === 'newest';
  if (page.after !== undefined) void query.where(idColumn, newest ? '<' : '>', page.after);
  const rows = (await query.orderBy(idColumn, newest ? 'desc' : 'asc').limit(page.limit + 1)) as R[];
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  return { items: await map(kept), next: more ? (kept[kept.length - 1]?.id ?? null) : null };
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything starting with "50". */
export const likeContains = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
