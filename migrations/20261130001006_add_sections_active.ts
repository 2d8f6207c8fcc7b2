import type { Knex } from 'knex';

// A section with enrollments can't be deleted (its students would lose their record); staff deactivate it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (table) => {
    table.boolean('active').notNullable().defaultTo(true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (table) => {
    table.dropColumn('active');
  });
}
