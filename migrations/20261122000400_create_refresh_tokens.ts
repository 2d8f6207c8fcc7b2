import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refresh_tokens', (table) => {
    table.engine('InnoDB');
    table.charset('utf8mb4');
    table.collate('utf8mb4_unicode_ci');
    table.bigIncrements('id');
    table.bigInteger('user_id').unsigned().notNullable();
    // A ULID shared by every token rotated from one login, so reuse of an old token can revoke them all.
    table.specificType('family_id', 'char(26)').notNullable();
    // SHA-256 hex of the token; the token itself is never stored.
    table.specificType('token_hash', 'char(64)').notNullable().unique();
    table.datetime('expires_at', { precision: 3 }).notNullable();
    table.datetime('used_at', { precision: 3 }).nullable();
    table.datetime('revoked_at', { precision: 3 }).nullable();
    table.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.raw('CURRENT_TIMESTAMP(3)'));
    table.index(['user_id']);
    table.index(['family_id']);
    table.foreign('user_id').references('id').inTable('users').onDelete('CASCADE');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
}
