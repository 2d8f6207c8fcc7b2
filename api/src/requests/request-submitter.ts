import type { Knex } from 'knex';
import { isDbErrorCode } from '../../../core/db.js';
import { ConflictError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { CommitQueues } from '../../../core/queues.js';
import {
  findRequestByKey,
  parseJson,
  toRequestView,
  type RequestRow,
} from '../../../core/requests/request-store.js';
import type { RequestKind, RequestView } from '../../../core/requests/request-types.js';

export interface Submission {
  userId: number;
  kind: RequestKind;
  roomId: number;
  queueNumber: number;
  idempotencyKey: string;
  payload: unknown;
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

/**
 * Records a request and enqueues its commit job. The MySQL row is written (and committed) first and is
 * the durable record; the job carries only the row id and uses it as its BullMQ job id. If the process
 * dies between the two writes, or Redis refuses the job, the row stays `queued` and the worker's outbox
 * sweeper enqueues it: nothing is lost and no job can exist without its row (docs/adr/005).
 */
export class RequestSubmitter {
  constructor(
    private readonly db: Knex,
    private readonly queues: CommitQueues,
    private readonly logger: Logger,
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
    // The row is built here, times included, so a new request needs no read-back: one round trip.
    const now = new Date();
    const fields = {
      user_id: s.userId,
      room_id: s.roomId,
      idempotency_key: s.idempotencyKey,
      kind: s.kind,
      queue_number: s.queueNumber,
      created_at: now,
      updated_at: now,
    };
    let row: RequestRow | undefined;
    let created = true;
    try {
      const [id] = await this.db('requests').insert({ ...fields, payload: JSON.stringify(s.payload) });
      row = {
        ...fields,
        id: Number(id),
        payload: s.payload,
        status: 'queued',
        outcome_code: null,
        outcome_message: null,
        outcome: null,
        attempts: 0,
        completed_at: null,
      };
    } catch (err) {
      if (!isDbErrorCode(err, 'ER_DUP_ENTRY')) throw err;
      // Another submission with this key got in first (after our replay check): answer with its request.
      created = false;
      row = await findRequestByKey(this.db, s.userId, s.idempotencyKey);
      if (!row) throw new Error('request row missing after a duplicate key', { cause: err });
      this.assertSameRequest(row, s.kind, s.payload);
    }
    const { id, room_id: roomId } = row;
    if (row.status === 'queued') {
      // Also for a retry: if the first attempt died before enqueueing, this enqueues it (a no-op otherwise).
      await this.queues.enqueue(roomId ?? s.roomId, id).catch((err: unknown) => {
        this.logger.warn({ err, requestId: id }, 'enqueue failed; the outbox sweeper will enqueue it');
      });
    }
    return { created, request: toRequestView(row) };
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
