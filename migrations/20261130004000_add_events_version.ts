import type { Knex } from 'knex';

// Optimistic concurrency for staff edits (core/http/row-version.ts): +1 on every change, sent back as the ETag.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (table) => {
    table.integer('version').unsigned().notNullable().defaultTo(1);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (table) => {
    table.dropColumn('version');
  });
}
