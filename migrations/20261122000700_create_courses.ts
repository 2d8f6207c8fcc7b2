import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('courses', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.string('code', 16).notNullable().unique();
    table.string('title', 160).notNullable();
    table.tinyint('credits').unsigned().notNullable();
    table.bigInteger('major_id').unsigned().notNullable();
    table.bigInteger('professor_id').unsigned().notNullable();
    table.text('description').nullable();
    table.index(['major_id']);
    table.index(['professor_id']);
    // Catalog search matches words of the code or title with MATCH ... AGAINST; LIKE '%word%' can't use an index.
    table.index(['code', 'title'], 'courses_code_title_fulltext', { indexType: 'FULLTEXT' });
    table.foreign('major_id').references('id').inTable('majors');
    table.foreign('professor_id').references('id').inTable('professors');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('courses');
}
