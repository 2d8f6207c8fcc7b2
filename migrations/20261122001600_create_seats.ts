import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('seats', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('event_id').unsigned().notNullable();
    // '12C' on a flight, 'F-A-12' in an arena.
    table.string('label', 16).notNullable();
    table.string('zone', 32).notNullable();
    table.integer('price_cents').unsigned().notNullable();
    table.enu('status', ['free', 'held', 'sold']).notNullable().defaultTo('free');
    table.datetime('held_until', { precision: 3 }).nullable();
    table.bigInteger('holder_user_id').unsigned().nullable();
    table
      .datetime('updated_at', { precision: 3 })
      .notNullable()
      .defaultTo(knex.raw('CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)'));
    table.unique(['event_id', 'label']);
    // "Any N free seats in this zone" (SKIP LOCKED) and the seat-map counts per zone.
    table.index(['event_id', 'zone', 'status']);
    table.index(['holder_user_id']);
    // The expiry sweep: held seats whose hold has run out.
    table.index(['status', 'held_until']);
    table.foreign('event_id').references('id').inTable('events').onDelete('CASCADE');
    table.foreign('holder_user_id').references('id').inTable('users');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('seats');
}
