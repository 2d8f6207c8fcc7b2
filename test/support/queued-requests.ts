import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { newCommitJobId, type RequestKind } from '../../core/requests/request-types.js';

/**
 * Queued requests as the api records them before their job runs: one per user, in admission order
 * (queue numbers 1, 2, …). Returns their ids in that order.
 */
export async function insertQueuedRequests(
  db: Knex,
  o: { roomId: number; kind: RequestKind; users: number[]; payloads: unknown[] },
): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, payload] of o.payloads.entries()) {
    const [id] = await db('requests').insert({
      user_id: o.users[i],
      room_id: o.roomId,
      idempotency_key: `queued-${randomUUID()}`,
      kind: o.kind,
      payload: JSON.stringify(payload),
      queue_number: i + 1,
      commit_job_id: newCommitJobId(),
    });
    ids.push(Number(id));
  }
  return ids;
}
