import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reservation_seats', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('reservation_id').unsigned().notNullable();
    table.bigInteger('seat_id').unsigned().notNullable();
    table.integer('price_cents').unsigned().notNullable();
    // Equals seat_id while the reservation is live (held, paid, confirmed) and is set to NULL when the seat
    // is released. MariaDB has no partial unique index; a unique column that is NULL once released lets
    // the schema refuse one seat in two live reservations while keeping the history of released ones.
    table.bigInteger('live_seat_id').unsigned().nullable().unique();
    table.datetime('released_at', { precision: 3 }).nullable();
    table.index(['reservation_id']);
    table.index(['seat_id']);
    table.foreign('reservation_id').references('id').inTable('reservations').onDelete('CASCADE');
    table.foreign('seat_id').references('id').inTable('seats');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reservation_seats');
}
