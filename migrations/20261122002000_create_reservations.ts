import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reservations', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('user_id').unsigned().notNullable();
    table.bigInteger('event_id').unsigned().notNullable();
    table.bigInteger('request_id').unsigned().nullable();
    table
      .enu('status', ['held', 'paid', 'confirmed', 'cancelled', 'expired'])
      .notNullable()
      .defaultTo('held');
    table.integer('amount_cents').unsigned().notNullable();
    table.datetime('hold_expires_at', { precision: 3 }).notNullable();
    table.datetime('paid_at', { precision: 3 }).nullable();
    table.datetime('cancelled_at', { precision: 3 }).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    // The per-user limit counts a user's live reservations for an event.
    table.index(['user_id', 'event_id', 'status']);
    // The expiry sweep.
    table.index(['status', 'hold_expires_at']);
    table.index(['request_id']);
    table.index(['event_id']);
    table.foreign('user_id').references('id').inTable('users');
    table.foreign('event_id').references('id').inTable('events');
    table.foreign('request_id').references('id').inTable('requests');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reservations');
}
