import type { Knex } from 'knex';

/**
 * Enrollments lose their foreign key to sections (ADR 030). InnoDB checks a foreign key by taking a
 * shared lock on the parent row, so every batch writing enrollments into a hot section held that row
 * shared until it committed, and no batch could then update the section's seat count without waiting
 * for all the others: the count had to be locked first, for the whole batch. The committer's guarded
 * seat claim now checks what the key did (the section exists, with the term and course the enrollment
 * copied), on the section's row under its lock, and the invariant checker reports any enrollment that
 * disagrees with its section. The index the key used stays: it serves look-ups by section.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('enrollments', (table) => {
    table.dropForeign(['section_id', 'term_id', 'course_id'], 'enrollments_section_foreign');
  });
  // Its only use was as the key's target.
  await knex.schema.alterTable('sections', (table) => {
    table.dropUnique(['id', 'term_id', 'course_id'], 'sections_id_term_id_course_id_unique');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sections', (table) => {
    table.unique(['id', 'term_id', 'course_id'], { indexName: 'sections_id_term_id_course_id_unique' });
  });
  await knex.schema.alterTable('enrollments', (table) => {
    table
      .foreign(['section_id', 'term_id', 'course_id'], 'enrollments_section_foreign')
      .references(['id', 'term_id', 'course_id'])
      .inTable('sections');
  });
}
