import type { Knex } from 'knex';
import { decimalId, decimalLimit } from '../../../../core/http/decimal-id.js';

/** Paging fields every staff listing takes: keyset on id (`after` = the last id seen), so pages never drift. */
export const pageFields = { after: decimalId.optional(), limit: decimalLimit(100, 50) };

export interface Page<T> {
  items: T[];
  /** The `after` to ask for the next page, or null on the last one. */
  next: number | null;
}

/**
 * Runs a listing query one page at a time, ordered by `idColumn`; fetches one extra row to know whether
 * another page follows without a COUNT.
 */
export async function keysetPage<R extends { id: number }, T>(
  query: Knex.QueryBuilder,
  idColumn: string,
  page: { after?: number | undefined; limit: number },
  map: (rows: R[]) => T[] | Promise<T[]>,
): Promise<Page<T>> {
  if (page.after !== undefined) void query.where(idColumn, '>', page.after);
  const rows = (await query.orderBy(idColumn).limit(page.limit + 1)) as R[];
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  return { items: await map(kept), next: more ? (kept[kept.length - 1]?.id ?? null) : null };
}

/** Escapes LIKE wildcards so a search for "50%" finds "50%", not everything starting with "50". */
export const likeContains = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
