import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('section_meetings', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('section_id').unsigned().notNullable();
    // ISO weekday: 1 = Monday ... 7 = Sunday.
    table.tinyint('day_of_week').unsigned().notNullable();
    table.time('starts_at').notNullable();
    table.time('ends_at').notNullable();
    table.string('room', 32).notNullable();
    table.index(['section_id']);
    table.foreign('section_id').references('id').inTable('sections').onDelete('CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('section_meetings');
}
