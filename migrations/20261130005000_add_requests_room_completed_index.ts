import type { Knex } from 'knex';

/**
 * The staff console reads a room's requests completed in the last minute once a second
 * (waiting-room/src/rooms/room-outcomes.ts): `room_id = ? AND completed_at >= ?` is a range scan of this
 * index instead of every request the room ever had.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.index(['room_id', 'completed_at'], 'requests_room_id_completed_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.dropIndex(['room_id', 'completed_at'], 'requests_room_id_completed_at_index');
  });
}
