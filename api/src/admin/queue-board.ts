import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import { AFTER_PAYMENT_QUEUE, commitQueueName, HOLD_EXPIRY_QUEUE } from '../../../core/queues.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { listRoomIds } from './admin-room-store.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export interface QueueBoardDeps {
  db: Knex;
  redis: Redis;
  prefix: string;
}

export interface QueueBoard {
  /**
   * Re-lists the rooms before each board request, so a room created since shows its queue: one indexed
   * query per request of a staff page that polls every few seconds, never on the rush's paths.
   */
  discover: RequestHandler;
  router: Router;
}

/**
 * bull-board over the reservation queues and one commit queue per room. Rooms come from MySQL, the
 * record every process shares; the Queue objects here reuse the api's Redis connection and hold no state.
 */
export function queueBoard({ db, redis, prefix }: QueueBoardDeps): QueueBoard {
  const keys = redisKeys(prefix);
  const open = (name: string, bullPrefix: string) =>
    new BullMQAdapter(new Queue(name, { connection: redis, prefix: bullPrefix }), { readOnlyMode: false });
  const fixed = [HOLD_EXPIRY_QUEUE, AFTER_PAYMENT_QUEUE].map((name) => open(name, keys.queuePrefix(name)));
  const rooms = new Map<number, BullMQAdapter>();

  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
  const board = createBullBoard({
    queues: fixed,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Rushline queues' } },
  });

  let listing: Promise<void> | undefined;
  const relist = async () => {
    const ids = await listRoomIds(db);
    for (const id of ids) {
      if (rooms.has(id)) continue;
      const adapter = open(commitQueueName(id), keys.commitQueuePrefix(id));
      rooms.set(id, adapter);
      board.addQueue(adapter);
    }
  };

  return {
    discover: async (_req, _res, next) => {
      // One listing at a time, however many requests arrive while it runs.
      listing ??= relist().finally(() => (listing = undefined));
      await listing;
      next();
    },
    router: serverAdapter.getRouter() as Router,
  };
}
