import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sections', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('term_id').unsigned().notNullable();
    table.bigInteger('course_id').unsigned().notNullable();
    table.smallint('section_number').unsigned().notNullable();
    table.integer('capacity').unsigned().notNullable();
    table.integer('enrolled').unsigned().notNullable().defaultTo(0);
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.unique(['term_id', 'course_id', 'section_number']);
    table.index(['course_id']);
    // Target of enrollments' composite foreign key, which stops an enrollment's copied course_id and
    // term_id from disagreeing with its section's.
    table.unique(['id', 'term_id', 'course_id'], { indexName: 'sections_id_term_id_course_id_unique' });
    table.foreign('term_id').references('id').inTable('terms');
    table.foreign('course_id').references('id').inTable('courses');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sections');
}
