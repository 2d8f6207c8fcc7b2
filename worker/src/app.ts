import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import type { Logger } from '../../core/logger.js';

export interface WorkerHttpDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  redis: Redis;
  healthDetails?: () => Record<string, unknown>;
}

/** The worker's own small HTTP face: health and readiness for probes and orchestrators. */
export function buildWorkerHttpApp({ cfg, logger, db, redis, healthDetails }: WorkerHttpDeps): Express {
  return createHttpApp({
    service: 'worker',
    cfg,
    logger,
    readiness: { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() },
    healthDetails,
    routes: () => undefined,
  });
}
