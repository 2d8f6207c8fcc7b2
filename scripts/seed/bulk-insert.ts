import type { Knex } from 'knex';

/** Rows per INSERT: large enough to be fast, small enough to stay far below max_allowed_packet. */
export const INSERT_CHUNK_SIZE = 2_000;

/** Inserts all rows in one transaction, a multi-row INSERT per chunk; returns the number inserted. */
export async function insertInChunks<Row extends object>(
  db: Knex,
  table: string,
  rows: readonly Row[],
  chunkSize = INSERT_CHUNK_SIZE,
): Promise<number> {
  if (rows.length === 0) return 0;
  await db.transaction(async (trx) => {
    for (let i = 0; i < rows.length; i += chunkSize) {
      await trx(table).insert(rows.slice(i, i + chunkSize));
    }
  });
  return rows.length;
}
