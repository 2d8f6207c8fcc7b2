import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { retryOnLockConflict } from '../../../core/db-retry.js';
import type { Logger } from '../../../core/logger.js';
import { countCommitOutcome, countRetry, observeBatch } from '../../../core/metrics/commit-metrics.js';
import type { UserNotification } from '../../../core/notifications/notification-store.js';
import { type RequestRow } from '../../../core/requests/request-store.js';
import type { RequestKind, RequestOutcome } from '../../../core/requests/request-types.js';
import type { DecidedRequest } from './outcome-writer.js';

export type CommitResult =
  | { kind: 'decided'; row: RequestRow; outcome: RequestOutcome; notification?: UserNotification }
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
  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
    /**
     * One committer per kind, given by the caller: the reservation one needs the hold-expiry queue and
     * the live publisher (reservationCommitter), so there is no default that would skip them.
     */
    private readonly committers: Record<RequestKind, BatchCommit>,
  ) {}

  /**
   * Decides each request once. `kind`: what the room's requests are (a registration room's are
   * enrollments), so the batch goes straight to its committer; anything else is routed after a read.
   */
  async commit(requestIds: number[], kind?: RequestRow['kind']): Promise<CommitResult[]> {
    const results = new Map<number, CommitResult>();
    let unsettled = requestIds;
    if (kind) {
      for (const r of await this.commitKind(kind, requestIds))
        if (r.kind === 'decided') results.set(r.row.id, r);
      unsettled = requestIds.filter((id) => !results.has(id));
    }
    if (unsettled.length > 0) {
      for (const r of await this.route(unsettled))
        results.set(r.kind === 'missing' ? r.requestId : r.row.id, r);
    }
    return requestIds.map((id) => results.get(id) ?? { kind: 'missing', requestId: id });
  }

  /** Reads what the requests are and where they stand; commits the queued ones by kind. */
  private async route(requestIds: number[]): Promise<CommitResult[]> {
    const rows = await this.db<RequestRow>('requests').whereIn('id', requestIds);
    const out: CommitResult[] = [];
    const todo = new Map<RequestRow['kind'], number[]>();
    const found = new Set(rows.map((r) => r.id));
    for (const id of requestIds) if (!found.has(id)) out.push({ kind: 'missing', requestId: id });
    for (const row of rows) {
      if (row.status !== 'queued') out.push({ kind: 'already', row });
      else todo.set(row.kind, [...(todo.get(row.kind) ?? []), row.id]);
    }
    for (const [k, ids] of todo) {
      const decided = await this.commitKind(k, ids);
      out.push(...decided);
      // Decided by another run between the read above and this one's lock: report what it stored.
      const done = new Set(decided.map((r) => (r.kind === 'missing' ? r.requestId : r.row.id)));
      const raced = ids.filter((id) => !done.has(id));
      if (raced.length > 0) {
        for (const row of await this.db<RequestRow>('requests').whereIn('id', raced))
          out.push({ kind: 'already', row });
      }
    }
    return out;
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
    const started = performance.now();
    const decided = await retryOnLockConflict(
      () =>
        this.db.transaction((trx) => this.committers[kind](trx, ids, new Date()), {
          isolationLevel: 'read committed',
        }),
      undefined,
      undefined,
      (code) => countRetry(kind, code),
    );
    observeBatch(kind, ids.length, (performance.now() - started) / 1000);
    for (const d of decided) countCommitOutcome(kind, d.outcome.code);
    // Requests not decided here (already decided by another run, of another kind, or missing) are
    // left out: the caller routes them.
    return decided.map((d) => ({
      kind: 'decided',
      row: d.row,
      outcome: d.outcome,
      notification: d.notification,
    }));
  }
}
