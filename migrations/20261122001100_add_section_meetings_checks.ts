import type { Knex } from 'knex';

// Timetable clash detection compares these intervals; an empty or inverted one would hide a clash.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `section_meetings`' +
      ' ADD CONSTRAINT `section_meetings_starts_before_ends` CHECK (`starts_at` < `ends_at`),' +
      ' ADD CONSTRAINT `section_meetings_day_of_week` CHECK (`day_of_week` BETWEEN 1 AND 7)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `section_meetings`' +
      ' DROP CONSTRAINT `section_meetings_starts_before_ends`,' +
      ' DROP CONSTRAINT `section_meetings_day_of_week`',
  );
}
