import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Job } from 'bullmq';
import type { Knex } from 'knex';
import { signAdmissionToken } from '../../core/admission/admission-token.js';
import type { Config } from '../../core/config.js';
import type { CommitQueues } from '../../core/queues.js';
import type { CommitJobData } from '../../core/requests/request-types.js';
import { mapConcurrent, tokenFor } from './tokens.js';

let queueNumber = 0;

/** A fresh, valid Idempotency-Key. */
export const freshKey = (): string => `key-${randomUUID()}`;

/** An admission to `roomId` for `userId`, as the waiting room would sign it (queue numbers rise per run). */
export function admissionFor(
  cfg: Pick<Config, 'admission'>,
  userId: number,
  roomId: number,
  opts: { queueNumber?: number; ttlS?: number } = {},
): string {
  return signAdmissionToken(cfg.admission, {
    userId,
    roomId,
    queueNumber: opts.queueNumber ?? ++queueNumber,
    ...(opts.ttlS === undefined ? {} : { ttlS: opts.ttlS }),
  }).token;
}

/** Every header of a valid POST /api/enrollments: access token, a fresh Idempotency-Key, an admission. */
export function enrollmentHeaders(
  cfg: Pick<Config, 'auth' | 'admission'>,
  userId: number,
  roomId: number,
  opts: { key?: string; queueNumber?: number } = {},
): Record<string, string> {
  return {
    authorization: `Bearer ${tokenFor(cfg, userId)}`,
    'idempotency-key': opts.key ?? freshKey(),
    'x-admission-token': admissionFor(cfg, userId, roomId, { queueNumber: opts.queueNumber }),
  };
}

/** Jobs of a room's commit queue in any state (waiting, active, completed, failed, delayed…). */
export async function jobsInRoomQueue(queues: CommitQueues, roomId: number): Promise<number> {
  const counts = await queues.queue(roomId).getJobCounts();
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The commit job a request's row names (undefined if that job is not in its room's queue). */
export async function commitJobOf(
  db: Knex,
  queues: CommitQueues,
  requestId: number,
): Promise<Job<CommitJobData> | undefined> {
  const row = await db('requests')
    .where({ id: requestId })
    .first<{ room_id: number; commit_job_id: string } | undefined>('room_id', 'commit_job_id');
  expect(row, `request ${requestId}`).to.not.equal(undefined);
  return (
    ((await queues.queue(row!.room_id).getJob(row!.commit_job_id)) as Job<CommitJobData> | null) ?? undefined
  );
}

export async function countRows(db: Knex, table: string, where: Record<string, unknown>): Promise<number> {
  const [row] = await db(table).where(where).count<{ n: number | string }[]>('* as n');
  return Number(row?.n ?? 0);
}

/** The invariant behind every seat: a section's `enrolled` counter equals its enrollment rows. */
export async function expectSectionCountsMatchRows(db: Knex, sectionIds: number[]): Promise<void> {
  for (const id of sectionIds) {
    const section = await db('sections').where({ id }).first<{ enrolled: number }>('enrolled');
    const rows = await countRows(db, 'enrollments', { section_id: id });
    expect(section?.enrolled, `section ${id}: enrolled counter vs rows`).to.equal(rows);
  }
}

/**
 * Every student submits one enrollment request at once (200 in flight), the i-th with queue number i+1
 * and the sections `sectionsFor(i)`; each must be accepted (202). Returns the request ids in order.
 */
export async function submitEnrollments(
  apiUrl: string,
  cfg: Pick<Config, 'auth' | 'admission'>,
  roomId: number,
  students: number[],
  sectionsFor: (i: number) => number[],
): Promise<number[]> {
  return mapConcurrent(students, 200, async (userId, i) => {
    const res = await fetch(`${apiUrl}/api/enrollments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...enrollmentHeaders(cfg, userId, roomId, { queueNumber: i + 1 }),
      },
      body: JSON.stringify({ sectionIds: sectionsFor(i) }),
    });
    expect(res.status).to.equal(202);
    return ((await res.json()) as { requestId: number }).requestId;
  });
}
