import type { Knex } from 'knex';
import type { RequestRow } from '../../../core/requests/request-store.js';
import type { RequestOutcome } from '../../../core/requests/request-types.js';

export interface DecidedRequest {
  row: RequestRow;
  outcome: RequestOutcome;
}

/**
 * Writes every decided request's outcome with one UPDATE … JOIN over a derived table, in the same
 * transaction as the changes it reports, so an outcome is stored exactly when its effect is.
 */
export async function writeOutcomes(
  trx: Knex.Transaction,
  decided: DecidedRequest[],
  now: Date,
): Promise<void> {
  if (decided.length === 0) return;
  const rows: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  for (const [i, d] of decided.entries()) {
    rows.push(
      i === 0 ? 'SELECT ? AS id, ? AS status, ? AS code, ? AS message, ? AS outcome' : 'SELECT ?, ?, ?, ?, ?',
    );
    bindings.push(
      d.row.id,
      d.outcome.status,
      d.outcome.code,
      d.outcome.message.slice(0, 512),
      d.outcome.details === undefined ? null : JSON.stringify(d.outcome.details),
    );
  }
  await trx.raw(
    `UPDATE requests r JOIN (${rows.join(' UNION ALL ')}) v ON r.id = v.id
     SET r.status = v.status, r.outcome_code = v.code, r.outcome_message = v.message, r.outcome = v.outcome,
         r.completed_at = ?, r.attempts = r.attempts + 1
     WHERE r.status = 'queued'`,
    [...bindings, now],
  );
}

/** Marks one request failed, outside any batch: the last resort when it can't be decided at all. */
export async function markFailed(
  db: Knex,
  requestId: number,
  code: string,
  message: string,
): Promise<boolean> {
  const changed = await db('requests')
    .where({ id: requestId, status: 'queued' })
    .update({
      status: 'failed',
      outcome_code: code,
      outcome_message: message.slice(0, 512),
      completed_at: new Date(),
    });
  return changed === 1;
}
