import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('registration_windows', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('term_id').unsigned().notNullable();
    table.string('name', 128).notNullable();
    // The school years (1-4) allowed to register in this window, e.g. [4] or [1,2].
    table.json('grades').notNullable();
    table.datetime('opens_at', { precision: 3 }).notNullable();
    table.datetime('closes_at', { precision: 3 }).notNullable();
    table.index(['term_id', 'opens_at']);
    table.foreign('term_id').references('id').inTable('terms');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('registration_windows');
}
