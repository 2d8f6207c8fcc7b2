import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.string('username', 64).notNullable().unique();
    table.string('password_hash', 255).notNullable();
    table.enu('role', ['student', 'staff']).notNullable();
    table.string('display_name', 128).notNullable();
    table.string('student_number', 16).nullable().unique();
    table.bigInteger('major_id').unsigned().nullable();
    // School year 1-4; NULL for staff.
    table.tinyint('grade').unsigned().nullable();
    table.smallint('credit_limit').unsigned().notNullable().defaultTo(18);
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.index(['role']);
    // Declared before the foreign key so InnoDB uses it instead of creating a second, implicit index.
    table.index(['major_id']);
    table.foreign('major_id').references('id').inTable('majors');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
