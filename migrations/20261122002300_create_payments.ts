import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payments', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('reservation_id').unsigned().notNullable();
    table.integer('amount_cents').unsigned().notNullable();
    table.specificType('currency', 'char(3)').notNullable().defaultTo('USD');
    table.enu('status', ['pending', 'succeeded', 'failed', 'refunded']).notNullable().defaultTo('pending');
    table.string('provider', 32).notNullable();
    table.string('provider_ref', 128).nullable().unique();
    // A retried charge finds the first attempt instead of charging twice.
    table.string('idempotency_key', 128).notNullable().unique();
    table.string('failure_reason', 255).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.index(['reservation_id']);
    table.foreign('reservation_id').references('id').inTable('reservations');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('payments');
}
