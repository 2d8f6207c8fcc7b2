import type { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { ConflictError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { isDbErrorCode } from '../../../core/db.js';
import { observeSubmitStage } from '../../../core/metrics/submit-metrics.js';
import { MicroBatcher } from '../../../core/micro-batcher.js';
import type { CommitQueues } from '../../../core/queues.js';
import {
  findRequestByKey,
  insertRequest,
  insertRequestsSkippingKnown,
  parseJson,
  queuedRequestIdsOfJob,
  requestKeysOfJob,
  toRequestView,
  type NewRequestRow,
  type RequestRow,
} from '../../../core/requests/request-store.js';
import { newCommitJobId, type RequestKind, type RequestView } from '../../../core/requests/request-types.js';

export interface Submission {
  userId: number;
  kind: RequestKind;
  roomId: number;
  queueNumber: number;
  idempotencyKey: string;
  payload: unknown;
  /**
   * When the api took the request (its row's created_at): the time it then waits for its group to be
   * written counts in the submit → outcome latency that admission paces by (ADR 012).
   */
  receivedAt?: Date;
  /** The HTTP request's id, carried by the commit job into the worker's logs and the push (ADR 016). */
  reqId?: string;
}

/**
 * A submission's row as recorded, or the row already under its key (a retry, or a race between tabs),
 * or why it could not be written: one submission's failure is not its group's.
 */
type Recorded = { created: boolean; row: RequestRow } | { error: unknown };

/** A submission in its room's group, with when it joined (its wait for the group in front is timed). */
interface Grouped {
  s: Submission;
  joinedAt: number;
}

/** Canonical JSON, so the same payload with its keys in another order counts as the same request. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Most submissions one INSERT and one commit job carry. */
export const SUBMIT_GROUP_MAX = 500;

/**
 * Records requests and enqueues their commit jobs. Submissions for a room that arrive while the
 * previous group is being written form the next group: one multi-row INSERT and one BullMQ job for all
 * of them (docs/adr/008), so under a rush the cost per request shrinks instead of the queue growing.
 * When idle a group is one request and goes out at once.
 *
 * The MySQL rows are written (and committed) first and are the durable record; each names its job
 * (`commit_job_id`) before the job exists. If the process dies between the two writes, or Redis refuses
 * the job, the rows stay `queued` and the worker's outbox sweeper writes the job they name: nothing is
 * lost and no job exists without its rows (docs/adr/005).
 */
export class RequestSubmitter {
  private readonly groups = new Map<number, MicroBatcher<Grouped, Recorded>>();

  constructor(
    private readonly db: Knex,
    private readonly queues: CommitQueues,
    private readonly logger: Logger,
    /** A room's next group starts at least this long after the previous one began (MicroBatcher's spacingMs). */
    private readonly spacingMs = 0,
  ) {}

  /**
   * A retry of a request already recorded under this key: returned as it stands, without checking the
   * admission again (it may have expired since; the request was admitted when it was first made).
   * Undefined when the key is new. A different payload under the same key is a 409.
   */
  async replay(
    userId: number,
    idempotencyKey: string,
    kind: Submission['kind'],
    payload: unknown,
  ): Promise<RequestView | undefined> {
    const row = await findRequestByKey(this.db, userId, idempotencyKey);
    if (!row) return undefined;
    this.assertSameRequest(row, kind, payload);
    return toRequestView(row);
  }

  async submit(s: Submission): Promise<{ created: boolean; request: RequestView }> {
    const recorded = await this.groupOf(s.roomId).submit({ s, joinedAt: performance.now() });
    if ('error' in recorded) throw recorded.error;
    const { created, row } = recorded;
    if (!created) {
      this.assertSameRequest(row, s.kind, s.payload);
      if (row.status === 'queued') await this.rewriteJob(row.room_id ?? s.roomId, row.commit_job_id);
    }
    return { created, request: toRequestView(row) };
  }

  private groupOf(roomId: number): MicroBatcher<Grouped, Recorded> {
    let group = this.groups.get(roomId);
    if (!group) {
      group = new MicroBatcher((grouped) => this.recordGroup(roomId, grouped), {
        maxBatch: SUBMIT_GROUP_MAX,
        maxWaitMs: 0,
        spacingMs: this.spacingMs,
      });
      this.groups.set(roomId, group);
    }
    return group;
  }

  private recordGroup(roomId: number, grouped: Grouped[]): Promise<Recorded[]> {
    const startedAt = performance.now();
    for (const g of grouped) observeSubmitStage('queued', startedAt - g.joinedAt);
    return this.record(
      roomId,
      grouped.map((g) => g.s),
    );
  }

  /** Writes a group's rows in one INSERT, then its one job (for the rows that are new). */
  private async record(roomId: number, subs: Submission[]): Promise<Recorded[]> {
    const jobId = newCommitJobId();
    const now = new Date();
    const rows = subs.map((s) => rowOf(s, jobId, now));
    let recorded: Recorded[];
    let at = performance.now();
    try {
      recorded =
        rows.length === 1
          ? [await this.insertOne(rows[0]!, subs[0]!)]
          : await this.insertGroup(jobId, rows, subs);
    } catch (err) {
      // A row MySQL refuses for another reason fails the whole INSERT: write them one by one.
      if (subs.length > 1) return this.recordEach(roomId, subs);
      return [{ error: err }];
    }
    observeSubmitStage('insert', performance.now() - at, subs.length);
    const fresh: number[] = [];
    const freshReqIds: string[] = [];
    recorded.forEach((r, i) => {
      if (!('created' in r) || !r.created) return;
      fresh.push(r.row.id);
      freshReqIds.push(subs[i]?.reqId ?? '');
    });
    if (fresh.length > 0) {
      at = performance.now();
      await this.enqueue(roomId, jobId, fresh, freshReqIds.some(Boolean) ? freshReqIds : undefined);
      observeSubmitStage('enqueue', performance.now() - at, subs.length);
    }
    return recorded;
  }

  /** Each submission alone: only the one that can't be written fails, its caller gets the error. */
  private async recordEach(roomId: number, subs: Submission[]): Promise<Recorded[]> {
    const out: Recorded[] = [];
    for (const s of subs) {
      try {
        out.push(...(await this.record(roomId, [s])));
      } catch (error) {
        out.push({ error });
      }
    }
    return out;
  }

  /** One row: its id from the INSERT, or the row already under its key. */
  private async insertOne(row: NewRequestRow, s: Submission): Promise<Recorded> {
    try {
      const id = await insertRequest(this.db, row);
      return { created: true, row: { ...row, id } };
    } catch (err) {
      if (!isDbErrorCode(err, 'ER_DUP_ENTRY')) throw err;
      return this.existing(s);
    }
  }

  /**
   * Several rows in one INSERT; a key already recorded is skipped by the INSERT itself (a no-op
   * update), so one retry doesn't break its group up. The ids are read back by job and matched by
   * (user, key); a submission whose row isn't this job's is answered with the row under its key.
   */
  private async insertGroup(jobId: string, rows: NewRequestRow[], subs: Submission[]): Promise<Recorded[]> {
    await insertRequestsSkippingKnown(this.db, rows);
    const ids = await requestKeysOfJob(this.db, jobId);
    const idOf = new Map(ids.map((r) => [`${r.user_id}:${r.idempotency_key}`, r.id]));
    // The same key twice in one group (a double click): the first is the row, the others see it.
    const firstOf = new Map<string, RequestRow>();
    return Promise.all(
      rows.map(async (row, i): Promise<Recorded> => {
        const key = `${row.user_id}:${row.idempotency_key}`;
        const id = idOf.get(key);
        if (id === undefined)
          return this.existing(subs[i] as Submission).catch((error: unknown) => ({ error }));
        const first = firstOf.get(key);
        if (first) return { created: false, row: first };
        firstOf.set(key, { ...row, id });
        return { created: true, row: { ...row, id } };
      }),
    );
  }

  /** The row already under a submission's key. */
  private async existing(s: Submission): Promise<Recorded> {
    const row = await findRequestByKey(this.db, s.userId, s.idempotencyKey);
    if (!row) throw new Error(`request row missing after a duplicate key (user ${s.userId})`);
    return { created: false, row };
  }

  /**
   * A retry whose first attempt may have died before its job was written: writes the job with every
   * row still queued under its id (the whole group, not just this one: once a job with that id exists,
   * the outbox sweeper takes the group as enqueued). A no-op when the job exists.
   */
  private async rewriteJob(roomId: number, jobId: string): Promise<void> {
    const ids = await queuedRequestIdsOfJob(this.db, jobId);
    if (ids.length > 0) await this.enqueue(roomId, jobId, ids);
  }

  private async enqueue(
    roomId: number,
    jobId: string,
    requestIds: number[],
    reqIds?: string[],
  ): Promise<void> {
    await this.queues.enqueue(roomId, jobId, requestIds, reqIds).catch((err: unknown) => {
      this.logger.warn({ err, jobId, requestIds }, 'enqueue failed; the outbox sweeper will enqueue it');
    });
  }

  private assertSameRequest(row: RequestRow, kind: Submission['kind'], payload: unknown): void {
    if (row.kind === kind && canonical(parseJson(row.payload)) === canonical(payload)) return;
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used for a different request; use a new key',
      { requestId: row.id },
    );
  }
}

/** The row as it will be stored, times included, so a new request needs no read-back. */
function rowOf(s: Submission, jobId: string, now: Date): NewRequestRow {
  return {
    user_id: s.userId,
    room_id: s.roomId,
    idempotency_key: s.idempotencyKey,
    kind: s.kind,
    payload: s.payload,
    queue_number: s.queueNumber,
    commit_job_id: jobId,
    status: 'queued',
    outcome_code: null,
    outcome_message: null,
    outcome: null,
    attempts: 0,
    created_at: s.receivedAt ?? now,
    updated_at: now,
    completed_at: null,
  };
}
