import type { Knex } from 'knex';

// A seat that was ever in a reservation can't be deleted (its history would point at nothing); staff
// deactivate it, and the reservation committer and the public seat map leave inactive seats out.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.boolean('active').notNullable().defaultTo(true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.dropColumn('active');
  });
}
