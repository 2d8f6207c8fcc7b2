import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('professors', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.string('name', 128).notNullable();
    table.string('email', 255).nullable().unique();
    table.bigInteger('major_id').unsigned().notNullable();
    table.index(['major_id']);
    table.foreign('major_id').references('id').inTable('majors');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('professors');
}
