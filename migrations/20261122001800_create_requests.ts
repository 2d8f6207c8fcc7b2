import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('requests', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('user_id').unsigned().notNullable();
    table.bigInteger('room_id').unsigned().nullable();
    table.string('idempotency_key', 128).notNullable();
    table.enu('kind', ['enrollment', 'reservation']).notNullable();
    table.json('payload').notNullable();
    table.enu('status', ['queued', 'committed', 'rejected', 'failed']).notNullable().defaultTo('queued');
    table.string('outcome_code', 64).nullable();
    table.string('outcome_message', 512).nullable();
    table.json('outcome').nullable();
    // Order of admission through the waiting room; NULL when the request did not come through one.
    table.bigInteger('queue_number').unsigned().nullable();
    table.integer('attempts').unsigned().notNullable().defaultTo(0);
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.datetime('completed_at', { precision: 3 }).nullable();
    // A retried submission finds the first one's row, and its stored outcome, instead of running twice.
    table.unique(['user_id', 'idempotency_key']);
    table.index(['user_id', 'created_at']);
    table.index(['status', 'created_at']);
    table.index(['room_id']);
    table.foreign('user_id').references('id').inTable('users');
    table.foreign('room_id').references('id').inTable('waiting_rooms');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('requests');
}
