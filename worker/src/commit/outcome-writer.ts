import type { Knex } from 'knex';
import {
  insertNotification,
  insertNotifications,
  type UserNotification,
} from '../../../core/notifications/notification-store.js';
import { requestNotification } from '../../../core/notifications/request-notification.js';
import { findRequest, type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestOutcome } from '../../../core/requests/request-types.js';
import type { OutcomeReporter } from './outcome-reporter.js';

export interface DecidedRequest {
  row: RequestRow;
  outcome: RequestOutcome;
  /** The owner's notification of this outcome, set by writeOutcomes; pushed after the commit. */
  notification?: UserNotification;
}

/**
 * Writes every decided request's outcome in one statement, in the same transaction as the changes it
 * reports, so an outcome is stored exactly when its effect is. It is an upsert by primary key on rows
 * this transaction holds locked (FOR UPDATE, still queued), so it only ever updates: MySQL's fastest
 * bulk update (an UPDATE … JOIN over a derived table grew quadratically past a few hundred rows).
 * Each owner's notification goes in the same transaction, all of the batch's in one multi-row INSERT
 * (a batch of ~1,000 outcomes costs one more statement, not a thousand), and is set on its DecidedRequest.
 */
export async function writeOutcomes(
  trx: Knex.Transaction,
  decided: DecidedRequest[],
  now: Date,
): Promise<void> {
  if (decided.length === 0) return;
  const values: string[] = [];
  const bindings: Knex.RawBinding[] = [];
  for (const d of decided) {
    values.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    bindings.push(
      d.row.id,
      d.row.user_id,
      d.row.idempotency_key,
      d.row.kind,
      d.row.commit_job_id,
      typeof d.row.payload === 'string' ? d.row.payload : JSON.stringify(d.row.payload),
      d.outcome.status,
      d.outcome.code,
      d.outcome.message.slice(0, 512),
      d.outcome.details === undefined ? null : JSON.stringify(d.outcome.details),
      now,
    );
  }
  await trx.raw(
    `INSERT INTO requests (id, user_id, idempotency_key, kind, commit_job_id, payload, status, outcome_code, outcome_message, outcome, completed_at)
     VALUES ${values.join(', ')}
     ON DUPLICATE KEY UPDATE status = VALUES(status), outcome_code = VALUES(outcome_code),
       outcome_message = VALUES(outcome_message), outcome = VALUES(outcome), completed_at = VALUES(completed_at),
       attempts = attempts + 1`,
    bindings,
  );
  const notifications = await insertNotifications(
    trx,
    decided.map((d) => requestNotification(d.row, d.outcome)),
    now,
  );
  decided.forEach((d, i) => (d.notification = notifications[i]));
}

/**
 * Ends requests still `queued` as failed (COMMIT_FAILED, with the reason), outside any batch: the last
 * resort when they can't be decided at all. Each one it ends is reported to its owner; requests already
 * decided are left as they are. Returns how many it ended.
 */
export async function failQueuedRequests(
  db: Knex,
  reporter: OutcomeReporter,
  requestIds: number[],
  reason: string,
): Promise<number> {
  let ended = 0;
  for (const id of requestIds) {
    // The outcome and its notification commit together; the owner is told after.
    const ending = await db.transaction(async (trx) => {
      const now = new Date();
      const outcome: RequestOutcome = {
        status: 'failed',
        code: 'COMMIT_FAILED',
        message: `Could not be processed: ${reason}`.slice(0, 512),
      };
      const changed = await trx('requests').where({ id, status: 'queued' }).update({
        status: outcome.status,
        outcome_code: outcome.code,
        outcome_message: outcome.message,
        completed_at: now,
      });
      if (changed !== 1) return undefined;
      const row = await findRequest(trx, id);
      if (!row) return undefined;
      return { row, notification: await insertNotification(trx, requestNotification(row, outcome), now) };
    });
    if (!ending) continue;
    ended++;
    await reporter.report(ending.row, ending.notification);
  }
  return ended;
}
