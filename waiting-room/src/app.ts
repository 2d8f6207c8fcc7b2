import path from 'node:path';
import express, { type Express } from 'express';
import type { HelmetOptions } from 'helmet';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { requireAuth, requireRole } from '../../core/auth/require-auth.js';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import type { Logger } from '../../core/logger.js';
import { roomPageRoutes } from './page/room-page-routes.js';
import type { RoomQueue } from './queue/room-queue.js';
import { receiptRoutes } from './receipt/receipt-routes.js';
import type { OperatorService } from './rooms/operator-service.js';
import { operatorRoutes } from './rooms/operator-routes.js';
import type { RoomService } from './rooms/room-service.js';
import { roomRoutes } from './rooms/room-routes.js';

export interface WaitingRoomDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  redis: Redis;
  rooms: RoomService;
  queue: RoomQueue;
  operators: OperatorService;
  healthDetails?: () => Record<string, unknown>;
}

const publicDir = path.resolve(import.meta.dirname, '..', 'public');

/** Lets the page call the api and open its socket; shared with the raw join path so headers match. */
export function waitingRoomHelmet(cfg: Pick<Config, 'http'>): HelmetOptions {
  return {
    contentSecurityPolicy: {
      directives: {
        'connect-src': ["'self'", ...(cfg.http.apiPublicUrl ? [cfg.http.apiPublicUrl] : []), 'ws:', 'wss:'],
        // Behind plain http (a LAN demo) this would make the browser fetch the page's script over https.
        'upgrade-insecure-requests': cfg.http.apiPublicUrl.startsWith('https:') ? [] : null,
      },
    },
  };
}

/** Builds the waiting room's HTTP app; never listens. The socket server attaches beside it. */
export function buildWaitingRoomApp({
  cfg,
  logger,
  db,
  redis,
  rooms,
  queue,
  operators,
  healthDetails,
}: WaitingRoomDeps): Express {
  const authenticated = requireAuth(cfg);
  return createHttpApp({
    service: 'waiting-room',
    cfg,
    logger,
    readiness: { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() },
    healthDetails,
    helmet: waitingRoomHelmet(cfg),
    routes: (app) => {
      app.use('/rooms/assets', express.static(publicDir, { maxAge: '5m', index: false }));
      app.use('/rooms', roomPageRoutes(publicDir, cfg.http.apiPublicUrl));
      app.use('/rooms', roomRoutes(db, rooms, authenticated));
      app.use('/rooms', receiptRoutes(db, queue, authenticated));
      app.use('/operator/rooms', authenticated, requireRole('staff'), operatorRoutes(operators));
    },
  });
}
