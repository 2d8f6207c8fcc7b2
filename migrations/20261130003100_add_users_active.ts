import type { Knex } from 'knex';

/**
 * Staff deactivate an account instead of deleting it (its enrollments, sales and audit trail stay);
 * a deactivated account can neither sign in nor refresh its tokens.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.boolean('active').notNullable().defaultTo(true);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('active');
  });
}
