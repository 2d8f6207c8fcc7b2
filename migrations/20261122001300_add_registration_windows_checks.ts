import type { Knex } from 'knex';

// Eligibility is decided with JSON_CONTAINS(grades, ?), which quietly matches nothing on a non-array.
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `registration_windows`' +
      " ADD CONSTRAINT `registration_windows_grades_array` CHECK (JSON_VALID(`grades`) AND JSON_TYPE(`grades`) = 'ARRAY')," +
      ' ADD CONSTRAINT `registration_windows_opens_before_closes` CHECK (`opens_at` < `closes_at`)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'ALTER TABLE `registration_windows`' +
      ' DROP CONSTRAINT `registration_windows_grades_array`,' +
      ' DROP CONSTRAINT `registration_windows_opens_before_closes`',
  );
}
