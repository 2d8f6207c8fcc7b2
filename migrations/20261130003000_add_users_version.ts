import type { Knex } from 'knex';

/** Optimistic concurrency for staff edits of accounts (core/http/row-version.ts): +1 on every change. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.integer('version').unsigned().notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('version');
  });
}
