import type { Knex } from 'knex';
import { ConflictError } from '../../../../core/errors.js';

/** Where a row may be referenced from: the table and its foreign-key column. */
export type Reference = readonly [table: string, column: string];

/**
 * Refuses to delete a row something else still points at, naming what; the schema's foreign keys
 * would refuse too, but with an error a person can't act on.
 */
export async function assertUnused(trx: Knex, what: string, id: number, refs: readonly Reference[]) {
  for (const [table, column] of refs) {
    const hit = await trx(table).where(column, id).first<{ id: number } | undefined>('id');
    if (hit) {
      throw new ConflictError('IN_USE', `This ${what} is still used by ${table}; remove those first`, {
        referencedBy: table,
      });
    }
  }
}
