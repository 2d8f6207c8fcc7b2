import type { Knex } from 'knex';

/**
 * What happened to a person's requests and reservations, kept so someone who was offline learns it
 * later. Written in the transaction of the change it reports; read newest first per user.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('notifications', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('user_id').unsigned().notNullable();
    table.enu('kind', ['request', 'reservation']).notNullable();
    table.string('code', 64).notNullable();
    table.string('message', 512).notNullable();
    table.json('params').notNullable();
    table.json('link').notNullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table.datetime('read_at', { precision: 3 }).nullable();
    // A person's page, newest first (`id < before`); it also serves the user_id foreign key.
    table.index(['user_id', 'id']);
    // The unread count: user_id = ? AND read_at IS NULL, from the index alone.
    table.index(['user_id', 'read_at']);
    table.foreign('user_id').references('id').inTable('users').onDelete('CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
}
