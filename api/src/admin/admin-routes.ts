import { Router, type RequestHandler } from 'express';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import type { Config } from '../../../core/config.js';
import { adminSessionRoutes, requireStaffSession } from './admin-session.js';
import { queueBoard } from './queue-board.js';

export interface AdminDeps {
  cfg: Pick<Config, 'auth' | 'redis'>;
  db: Knex;
  redis: Redis;
  /** The api's bearer check, account check included. */
  authenticated: RequestHandler;
}

/** Mounted at /admin: the admin session cookie and, behind it, the queue board (bull-board). */
export function adminRoutes({ cfg, db, redis, authenticated }: AdminDeps): Router {
  const router = Router();
  const board = queueBoard({ db, redis, prefix: cfg.redis.prefix });
  router.use('/session', adminSessionRoutes(cfg, authenticated));
  router.use('/queues', requireStaffSession(cfg), board.discover, board.router);
  return router;
}
