import type { Knex } from 'knex';

/** Rows per multi-row INSERT: big enough that 10,000 lines take a handful of statements, under max_allowed_packet. */
export const CHUNK = 1_000;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * INSERT ... ON DUPLICATE KEY UPDATE of `columns`, in chunks. When the table has a `version` column (the
 * staff editors' optimistic concurrency), it is bumped only for rows the import really changes, so an
 * editor holding an old ETag gets 409 instead of overwriting the import, and an unchanged row keeps its
 * ETag. `version` is assigned first because MariaDB evaluates the assignments left to right.
 */
export async function upsertRows(
  trx: Knex.Transaction,
  table: string,
  rows: Record<string, unknown>[],
  key: string[],
  columns: string[],
): Promise<void> {
  if (rows.length === 0) return;
  const versioned = await trx.schema.hasColumn(table, 'version');
  const merge: Record<string, Knex.Raw> = {};
  if (versioned) {
    const same = columns.map((c) => `\`${c}\` <=> VALUES(\`${c}\`)`).join(' AND ');
    merge['version'] = trx.raw(`IF(${same}, \`version\`, \`version\` + 1)`);
  }
  for (const c of columns) merge[c] = trx.raw(`VALUES(\`${c}\`)`);
  for (const part of chunks(rows)) await trx(table).insert(part).onConflict(key).merge(merge);
}

/** Ids of rows by a unique text column, fetched in chunks: `code → id`. */
export async function idsBy(
  trx: Knex.Transaction,
  table: string,
  column: string,
  values: string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of chunks(values)) {
    const rows = await trx(table)
      .whereIn(column, part)
      .select<{ id: number; k: string }[]>('id', `${column} as k`);
    for (const r of rows) ids.set(r.k.toLowerCase(), Number(r.id));
  }
  return ids;
}
