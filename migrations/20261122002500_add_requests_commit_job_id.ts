import type { Knex } from 'knex';

/**
 * Commit jobs carry groups of requests (docs/adr/008). Each row names its job before the job exists, so
 * the outbox sweeper can tell a request whose job was never written from one still waiting in a backlog.
 * Rows recorded before this column get their old per-request job id. A job no longer stands for one
 * request, so the waiting room's backpressure counts a room's queued rows instead: (room_id, status).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.string('commit_job_id', 64).nullable();
  });
  await knex('requests')
    .whereNull('commit_job_id')
    .update({ commit_job_id: knex.raw("CONCAT('req-', id)") });
  await knex.schema.alterTable('requests', (table) => {
    table.string('commit_job_id', 64).notNullable().alter();
    table.index(['commit_job_id']);
    table.index(['room_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('requests', (table) => {
    table.dropIndex(['room_id', 'status']);
    table.dropIndex(['commit_job_id']);
    table.dropColumn('commit_job_id');
  });
}
