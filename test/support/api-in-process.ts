import type { Express } from 'express';
import type { Redis } from '../../core/redis.js';
import type { Knex } from 'knex';
import { buildApiApp, type ApiDeps } from '../../api/src/app.js';
import type { Config } from '../../core/config.js';
import { createDb } from '../../core/db.js';
import { CommitQueues } from '../../core/queues.js';
import { createRedis, waitForRedis } from '../../core/redis.js';
import { testLogger } from './silent-logger.js';
import { testConfig } from './test-config.js';

/** The api built in-process on the run's database and Redis prefix, for supertest; `close` in `after`. */
export interface ApiInProcess {
  cfg: Config;
  db: Knex;
  redis: Redis;
  app: Express;
  close(): Promise<void>;
}

export async function apiInProcess(
  env: Record<string, string> = {},
  extra: Pick<ApiDeps, 'intake'> = {},
): Promise<ApiInProcess> {
  const cfg = testConfig(env);
  const db = createDb(cfg);
  const redis = createRedis(cfg);
  await waitForRedis(redis);
  const queues = new CommitQueues(redis, cfg.redis.prefix);
  const app = buildApiApp({ cfg, logger: testLogger, db, redis, queues, ...extra });
  return {
    cfg,
    db,
    redis,
    app,
    close: async () => {
      await queues.close();
      await db.destroy();
      redis.disconnect();
    },
  };
}

/** Counts the SQL statements `db` sends while `fn` runs (knex emits 'query' for each). */
export async function countQueries<T>(
  db: Knex,
  fn: () => Promise<T>,
): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = [];
  const listener = (q: { sql: string }) => queries.push(q.sql);
  db.on('query', listener);
  try {
    return { result: await fn(), queries };
  } finally {
    db.off('query', listener);
  }
}
