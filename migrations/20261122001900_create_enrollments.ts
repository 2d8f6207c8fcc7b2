import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('enrollments', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('user_id').unsigned().notNullable();
    table.bigInteger('section_id').unsigned().notNullable();
    // Copied from the section so that the unique key below can refuse two sections of one course in a term.
    table.bigInteger('course_id').unsigned().notNullable();
    table.bigInteger('term_id').unsigned().notNullable();
    table.bigInteger('request_id').unsigned().nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table.unique(['user_id', 'section_id']);
    table.unique(['user_id', 'term_id', 'course_id']);
    // Serves lookups by section and the composite foreign key below.
    table.index(['section_id', 'term_id', 'course_id'], 'enrollments_section_id_index');
    table.index(['request_id']);
    table.foreign('user_id').references('id').inTable('users');
    // One key for all three, so the copies can't disagree with the section (and so are valid themselves).
    table
      .foreign(['section_id', 'term_id', 'course_id'], 'enrollments_section_foreign')
      .references(['id', 'term_id', 'course_id'])
      .inTable('sections');
    table.foreign('request_id').references('id').inTable('requests');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('enrollments');
}
