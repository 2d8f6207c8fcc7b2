import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `users` ADD CONSTRAINT `users_grade_range` CHECK (`grade` IS NULL OR `grade` BETWEEN 1 AND 4)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE `users` DROP CONSTRAINT `users_grade_range`');
}
