import type { Knex } from 'knex';

// The unique live_seat_id only guards a seat if it really is that row's seat.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `reservation_seats` ADD CONSTRAINT `reservation_seats_live_seat_is_seat`' +
      ' CHECK (`live_seat_id` IS NULL OR `live_seat_id` = `seat_id`)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE `reservation_seats` DROP CONSTRAINT `reservation_seats_live_seat_is_seat`');
}
