import cors from 'cors';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { requireAuth, requireRole } from '../../core/auth/require-auth.js';
import type { Config } from '../../core/config.js';
import { createHttpApp } from '../../core/http/create-http-app.js';
import type { Logger } from '../../core/logger.js';
import { redisKeys } from '../../core/redis-keys.js';
import { AuthService } from './auth/auth-service.js';
import { authRoutes } from './auth/auth-routes.js';
import { LoginLimiter } from './auth/login-limiter.js';
import { meRoutes } from './me/me-routes.js';
import { staffUserRoutes } from './staff/staff-user-routes.js';

export interface ApiDeps {
  cfg: Config;
  logger: Logger;
  db: Knex;
  redis: Redis;
}

/** Builds the REST api from its dependencies; never listens (main.ts and the tests do). */
export function buildApiApp({ cfg, logger, db, redis }: ApiDeps): Express {
  const keys = redisKeys(cfg.redis.prefix);
  const auth = new AuthService({ db, cfg, limiter: new LoginLimiter(redis, keys, cfg) });
  const authenticated = requireAuth(cfg);
  return createHttpApp({
    service: 'api',
    cfg,
    logger,
    readiness: { mysql: () => db.raw('SELECT 1'), redis: () => redis.ping() },
    routes: (app) => {
      // Browser pages on other origins (the waiting room's page signs in here) send bearer tokens, not cookies.
      app.use('/api', cors({ origin: [...cfg.http.corsOrigins], maxAge: 600 }));
      app.use('/api/auth', authRoutes(auth));
      app.use('/api/me', authenticated, meRoutes(db));
      app.use('/api/staff/users', authenticated, requireRole('staff'), staffUserRoutes(db));
    },
  });
}
