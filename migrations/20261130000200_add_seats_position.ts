import type { Knex } from 'knex';

/**
 * Where each seat is drawn on the event's seat map: its row's name and a grid cell (column, row), gaps
 * included, so a client needs no knowledge of cabins or arenas. Nullable: seats written before this
 * have no position, and the seat map places them after the laid-out ones.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.string('row_label', 16).nullable();
    table.smallint('pos_x').unsigned().nullable();
    table.smallint('pos_y').unsigned().nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('seats', (table) => {
    table.dropColumn('pos_y');
    table.dropColumn('pos_x');
    table.dropColumn('row_label');
  });
}
