import type { Knex } from 'knex';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import type { Logger } from '../../../core/logger.js';
import { type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestOutcome } from '../../../core/requests/request-types.js';
import { commitEnrollmentBatch } from '../enrollments/enrollment-committer.js';
import { commitReservationBatch } from '../reservations/reservation-committer.js';
import type { DecidedRequest } from './outcome-writer.js';

export type CommitResult =
  | { kind: 'decided'; row: RequestRow; outcome: RequestOutcome }
  /** Already terminal before this run (a retried job): report what is stored. */
  | { kind: 'already'; row: RequestRow }
  | { kind: 'missing'; requestId: number };

export type BatchCommit = (
  trx: Knex.Transaction,
  requestIds: number[],
  now: Date,
) => Promise<DecidedRequest[]>;

/**
 * Commits batches of requests. A batch runs as one transaction (retried on deadlock or lock-wait
 * timeout); if it fails for any other reason, each request is decided alone in its own transaction,
 * so one bad request never takes down the ones that would have succeeded on their own.
 */
export class RequestCommitter {
  private readonly committers: Record<RequestRow['kind'], BatchCommit>;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    committers: Partial<Record<RequestRow['kind'], BatchCommit>> = {},
  ) {
    this.committers = {
      enrollment: committers.enrollment ?? commitEnrollmentBatch,
      reservation: committers.reservation ?? commitReservationBatch,
    };
  }

  async commit(requestIds: number[]): Promise<CommitResult[]> {
    // Only what routing needs: the commit reads (and locks) the rows it decides.
    const rows = await this.db<RequestRow>('requests')
      .whereIn('id', requestIds)
      .select('id', 'kind', 'status');
    const byId = new Map(rows.map((r) => [r.id, r]));
    const results = new Map<number, CommitResult>();
    const todo = new Map<RequestRow['kind'], number[]>();
    const already: number[] = [];
    for (const id of requestIds) {
      const row = byId.get(id);
      if (!row) results.set(id, { kind: 'missing', requestId: id });
      else if (row.status !== 'queued') already.push(id);
      else todo.set(row.kind, [...(todo.get(row.kind) ?? []), id]);
    }
    if (already.length > 0) {
      for (const row of await this.db<RequestRow>('requests').whereIn('id', already)) {
        results.set(row.id, { kind: 'already', row });
      }
    }
    for (const [kind, ids] of todo) {
      for (const r of await this.commitKind(kind, ids))
        results.set(r.kind === 'missing' ? r.requestId : r.row.id, r);
    }
    return requestIds.map((id) => results.get(id) as CommitResult);
  }

  private async commitKind(kind: RequestRow['kind'], ids: number[]): Promise<CommitResult[]> {
    try {
      return await this.runBatch(kind, ids);
    } catch (err) {
      if (ids.length === 1) throw err;
      this.logger.warn({ err, kind, size: ids.length }, 'batch failed; deciding its requests one by one');
      const out: CommitResult[] = [];
      for (const id of ids) out.push(...(await this.runBatch(kind, [id])));
      return out;
    }
  }

  private async runBatch(kind: RequestRow['kind'], ids: number[]): Promise<CommitResult[]> {
    // READ COMMITTED: a batch that waited for a student's lock must then read what the batch before it
    // committed (their new enrollments); REPEATABLE READ would show the snapshot from before the wait.
    const decided = await retryOnLockConflict(() =>
      this.db.transaction((trx) => this.committers[kind](trx, ids, new Date()), {
        isolationLevel: 'read committed',
      }),
    );
    const decidedIds = new Set(decided.map((d) => d.row.id));
    const out: CommitResult[] = decided.map((d) => ({ kind: 'decided', row: d.row, outcome: d.outcome }));
    // Not decided here: another run finished them first (a redelivered job). Read what it stored.
    const others = ids.filter((id) => !decidedIds.has(id));
    if (others.length > 0) {
      const rows = await this.db<RequestRow>('requests').whereIn('id', others);
      for (const row of rows) out.push({ kind: 'already', row });
    }
    return out;
  }
}
