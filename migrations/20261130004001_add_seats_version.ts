import type { Knex } from 'knex';

// Optimistic concurrency for staff edits of a seat map (core/http/row-version.ts), as on every staff table.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.integer('version').unsigned().notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.dropColumn('version');
  });
}
