import type { Knex } from 'knex';
import type { RequestKind, RequestOutcome, RequestStatus, RequestView } from './request-types.js';

export interface RequestRow {
  id: number;
  user_id: number;
  room_id: number | null;
  idempotency_key: string;
  kind: RequestKind;
  payload: unknown;
  status: RequestStatus;
  outcome_code: string | null;
  outcome_message: string | null;
  outcome: unknown;
  queue_number: number | null;
  /** The BullMQ job that commits it (shared by the requests submitted with it). */
  commit_job_id: string;
  attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

/** mysql2 returns JSON columns parsed on MySQL but as text on MariaDB (where JSON is LONGTEXT). */
export const parseJson = (v: unknown): unknown => {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

export function toRequestView(row: RequestRow): RequestView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    roomId: row.room_id,
    payload: parseJson(row.payload),
    outcome:
      row.status === 'queued'
        ? null
        : {
            code: row.outcome_code ?? row.status.toUpperCase(),
            message: row.outcome_message ?? '',
            details: (parseJson(row.outcome) as RequestOutcome['details'] | null) ?? null,
          },
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at ? row.completed_at.toISOString() : null,
  };
}

export const findRequest = (db: Knex, id: number): Promise<RequestRow | undefined> =>
  db<RequestRow>('requests').where({ id }).first();

/** Requests accepted for a room and not yet decided: its commit backlog, whatever the jobs' grouping. */
export async function countQueuedRequests(db: Knex, roomId: number): Promise<number> {
  return (await countQueuedRequestsByRoom(db, [roomId])).get(roomId) ?? 0;
}

/**
 * The commit backlog of each of these rooms in one query (the (room_id, status) index serves it): the
 * admission leader reads all the rooms it leads once a pass, however many there are. A room with none
 * queued is absent.
 */
export async function countQueuedRequestsByRoom(
  db: Knex,
  roomIds: readonly number[],
): Promise<Map<number, number>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db('requests')
    .select('room_id')
    .count<{ room_id: number; n: number | string }[]>('* as n')
    .whereIn('room_id', [...roomIds])
    .andWhere('status', 'queued')
    .groupBy('room_id');
  return new Map(rows.map((r) => [Number(r.room_id), Number(r.n)]));
}

export const findRequestByKey = (db: Knex, userId: number, key: string): Promise<RequestRow | undefined> =>
  db<RequestRow>('requests').where({ user_id: userId, idempotency_key: key }).first();

export async function listUserRequests(
  db: Knex,
  userId: number,
  opts: { limit: number; beforeId?: number },
): Promise<RequestRow[]> {
  const q = db<RequestRow>('requests').where({ user_id: userId }).orderBy('id', 'desc').limit(opts.limit);
  if (opts.beforeId !== undefined) void q.andWhere('id', '<', opts.beforeId);
  return q;
}

/** A request row as the api writes it, times included, so a new request needs no read-back. */
export type NewRequestRow = Omit<RequestRow, 'id'> & { updated_at: Date };

const toInsert = ({ payload, ...fields }: NewRequestRow) => ({ ...fields, payload: JSON.stringify(payload) });

/** Inserts one request and returns its id; a key already recorded fails with ER_DUP_ENTRY. */
export async function insertRequest(db: Knex, row: NewRequestRow): Promise<number> {
  const [id] = await db('requests').insert(toInsert(row));
  return Number(id);
}

/**
 * Inserts several requests in one statement; a row whose (user, key) is already recorded is skipped by
 * the INSERT itself (a no-op update), so one retry doesn't fail the others. Read the ids back by job.
 */
export async function insertRequestsSkippingKnown(db: Knex, rows: NewRequestRow[]): Promise<void> {
  const insert = db('requests').insert(rows.map(toInsert)).toSQL().toNative();
  await db.raw(`${insert.sql} ON DUPLICATE KEY UPDATE id = id`, [...insert.bindings]);
}

/** The rows a commit job carries, by id with their (user, key). */
export const requestKeysOfJob = (
  db: Knex,
  jobId: string,
): Promise<{ id: number; user_id: number; idempotency_key: string }[]> =>
  db('requests')
    .where({ commit_job_id: jobId })
    .select<{ id: number; user_id: number; idempotency_key: string }[]>('id', 'user_id', 'idempotency_key');

/** The ids of a commit job's rows still queued, in id order. */
export const queuedRequestIdsOfJob = (db: Knex, jobId: string): Promise<number[]> =>
  db('requests').where({ commit_job_id: jobId, status: 'queued' }).orderBy('id').pluck<number[]>('id');
