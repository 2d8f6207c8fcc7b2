import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    // NULL for actions taken by the system (expiry sweeps, the worker).
    table.bigInteger('actor_user_id').unsigned().nullable();
    table.string('entity', 32).notNullable();
    table.string('entity_id', 64).notNullable();
    table.string('action', 32).notNullable();
    // BEFORE is a reserved word in MySQL: quote these two columns in raw SQL.
    table.json('before').nullable();
    table.json('after').nullable();
    // Not a foreign key, so the audit trail never stops requests from being archived or purged.
    table.bigInteger('request_id').unsigned().nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table.index(['entity', 'entity_id']);
    table.index(['actor_user_id', 'created_at']);
    table.foreign('actor_user_id').references('id').inTable('users');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
}
