import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('terms', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    // e.g. '2027-SPRING'
    table.string('code', 16).notNullable().unique();
    table.string('name', 64).notNullable();
    table.date('starts_on').notNullable();
    table.date('ends_on').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('terms');
}
