import type { Knex } from 'knex';

// ADR 012: a room's admission either adapts its pace to the commit pipeline (up to its rate) or keeps its
// rate fixed (pinned by the operator). Existing rooms adapt too: their rate becomes the ceiling.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('waiting_rooms', (table) => {
    table.enum('admission_mode', ['adaptive', 'fixed']).notNullable().defaultTo('adaptive');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('waiting_rooms', (table) => {
    table.dropColumn('admission_mode');
  });
}
