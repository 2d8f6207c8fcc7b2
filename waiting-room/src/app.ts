import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import type { Logger } from '../../core/logger.js';
import { roomRoutes } from './rooms/room-routes.js';

export interface WaitingRoomDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  redis: Redis;
}

/** Builds the waiting room's HTTP app; never listens. The socket server attaches in main.ts. */
export function buildWaitingRoomApp({ cfg, logger, db, redis }: WaitingRoomDeps): Express {
  return createHttpApp({
    service: 'waiting-room',
    cfg,
    logger,
    readiness: { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() },
    routes: (app) => {
      app.use('/rooms', roomRoutes(db));
    },
  });
}
