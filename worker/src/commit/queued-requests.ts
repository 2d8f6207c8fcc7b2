import type { Knex } from 'knex';
import type { RequestRow } from '../../../core/requests/request-store.js';
import type { RequestKind } from '../../../core/requests/request-types.js';

/**
 * The first lock every committer takes: the batch's requests still `queued` and of its kind, `FOR UPDATE`
 * in id order (the start of the fixed lock order, requests before anything else, so two batches can't
 * deadlock). Requests no longer queued (decided by an earlier run of the same job) or of another kind are
 * left out; the caller reports or routes them.
 */
export function lockQueuedRequests(
  trx: Knex.Transaction,
  requestIds: number[],
  kind: RequestKind,
): Promise<RequestRow[]> {
  return trx<RequestRow>('requests')
    .whereIn('id', requestIds)
    .andWhere({ status: 'queued', kind })
    .orderBy('id')
    .forUpdate();
}

/**
 * Admission order, the order a batch's requests are decided in: the waiting room's queue number (none
 * last), then arrival (id). Sorts in place and returns the list.
 */
export function sortByAdmission<T extends { row: Pick<RequestRow, 'id' | 'queue_number'> }>(
  wanted: T[],
): T[] {
  return wanted.sort(
    (a, b) => (a.row.queue_number ?? Infinity) - (b.row.queue_number ?? Infinity) || a.row.id - b.row.id,
  );
}
