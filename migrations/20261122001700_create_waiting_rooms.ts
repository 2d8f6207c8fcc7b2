import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('waiting_rooms', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.string('slug', 64).notNullable().unique();
    table.string('name', 128).notNullable();
    // A registration room fronts a registration window; a sale room fronts an event.
    table.enu('kind', ['registration', 'sale']).notNullable();
    table.bigInteger('registration_window_id').unsigned().nullable();
    table.bigInteger('event_id').unsigned().nullable();
    table.integer('admission_rate_per_min').unsigned().notNullable();
    table.integer('max_active').unsigned().notNullable();
    table.integer('token_ttl_s').unsigned().notNullable().defaultTo(600);
    table.datetime('prequeue_opens_at', { precision: 3 }).notNullable();
    table.datetime('opens_at', { precision: 3 }).notNullable();
    table.datetime('closes_at', { precision: 3 }).nullable();
    table.enu('state', ['idle', 'prequeue', 'open', 'paused', 'closed']).notNullable().defaultTo('idle');
    // Recorded so the random order given to everyone who joined before opening can be audited and replayed.
    table.string('shuffle_seed', 64).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.index(['event_id']);
    table.index(['registration_window_id']);
    table.index(['state']);
    table.foreign('registration_window_id').references('id').inTable('registration_windows');
    table.foreign('event_id').references('id').inTable('events');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('waiting_rooms');
}
