import type { Knex } from 'knex';

/**
 * (room_id, status) now serves both the backlog count and the room_id foreign key, so the single-column
 * index is one more to maintain on every request written and decided, for nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.dropIndex(['room_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.index(['room_id']);
  });
}
