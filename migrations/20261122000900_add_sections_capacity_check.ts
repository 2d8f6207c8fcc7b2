import type { Knex } from 'knex';

// The enrollment code checks capacity under a row lock; this refuses an oversold section even if it doesn't.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `sections` ADD CONSTRAINT `sections_enrolled_within_capacity` CHECK (`enrolled` <= `capacity`)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE `sections` DROP CONSTRAINT `sections_enrolled_within_capacity`');
}
