import type { Knex } from 'knex';

/**
 * Every process re-reads the deactivated accounts every 5 s while requests come
 * (core/auth/user-standing-store.ts: `SELECT id FROM users WHERE active = false`). Without an index that is
 * a scan of every account each time; with it, a look-up of the few deactivated ones. One column is enough:
 * InnoDB keeps the primary key (`id`) in every secondary index, so the index alone answers the query.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.index(['active'], 'users_active_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropIndex(['active'], 'users_active_index');
  });
}
