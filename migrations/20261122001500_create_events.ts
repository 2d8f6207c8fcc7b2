import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('events', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.enu('kind', ['flight', 'concert']).notNullable();
    table.string('title', 160).notNullable();
    table.string('venue', 160).notNullable();
    table.datetime('starts_at', { precision: 3 }).notNullable();
    table.text('description').nullable();
    table.smallint('per_user_limit').unsigned().notNullable().defaultTo(4);
    table.integer('hold_ttl_s').unsigned().notNullable().defaultTo(600);
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.index(['starts_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('events');
}
