import type { Knex } from 'knex';
import type { CommitQueues } from '../../core/queues.js';

/**
 * Removes what a test left in its rooms: their commit queues and request rows. A worker of a later test
 * scans every room: it would commit rows left queued (their outbox sweep enqueues them again).
 */
export async function forgetRooms(db: Knex, queues: CommitQueues, roomIds: number[]): Promise<void> {
  for (const roomId of roomIds) {
    await queues.queue(roomId).obliterate({ force: true });
    await db('requests').where({ room_id: roomId }).delete();
  }
}
