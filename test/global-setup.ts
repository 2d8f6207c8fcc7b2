import { randomBytes } from 'node:crypto';
import { loadConfig } from '../core/config.js';
import { DEFAULT_RATE_LIMITS } from '../core/http/rate-limit-rules.js';
import { createDb, databaseName } from '../core/db.js';
import { migrateLatest } from '../core/migrate.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { deleteKeysWithPrefix } from './support/redis-cleanup.js';
import { replicaForRun } from './support/replica.js';

/**
 * Each run gets a database `rushline_test_<id>` and a Redis prefix `t<id>`, so runs never collide
 * (two CI jobs on one server, a developer's demo beside the tests) and teardown leaves nothing behind.
 */
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL ??= 'silent';

const base = loadConfig(process.env);
const testDbName = `rushline_test_${runId}`;
const url = new URL(base.db.url);
url.pathname = `/${testDbName}`;
process.env.DATABASE_URL = url.toString();
process.env.REDIS_PREFIX = `t${runId}`;
// Login limits are exercised by their own tests with their own values.
process.env.LOGIN_MAX_PER_IP ??= '100000';
process.env.LOGIN_ACCOUNT_PER_MIN ??= '100000';
// Tests stand people up by access token alone (no users row); the account check has its own tests.
process.env.AUTH_ACCOUNT_CHECK ??= 'false';
// Ticks every LIVE_UPDATE_MS whatever the host's load: tests wait for them on a busy machine; the stretch
// (live-cadence.ts) has its own tests.
process.env.LIVE_UPDATE_MAX_MS ??= '1';
// Likewise the request rate limits (ADR 014): the suite makes many requests from one address and user.
process.env.RATE_LIMITS ??= Object.keys(DEFAULT_RATE_LIMITS)
  .map((kind) => `${kind}=1000000/60`)
  .join(',');

export async function mochaGlobalSetup(): Promise<void> {
  const server = createDb(base, { database: '' });
  try {
    await server.raw(`CREATE DATABASE \`${testDbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await server.destroy();
  }
  const db = createDb(loadConfig(process.env));
  try {
    await migrateLatest(db);
    // The run's database, as the read replica serves it once it has caught up (ADR 022). Only the tests
    // of the replica read through it: the rest write and read back at once, which a replica may lag.
    const replica = await replicaForRun(db, base.db.readUrl ?? replicaUrlOf(base.db.url), testDbName);
    if ('url' in replica) process.env.TEST_DATABASE_READ_URL = replica.url;
    else process.env.TEST_REPLICA_MISSING = replica.missing;
  } finally {
    await db.destroy();
  }
}

/** Where `scripts/services.ts --replica` (which scripts/test.sh runs) starts one: the primary's account on 3307. */
function replicaUrlOf(primaryUrl: string): string {
  const u = new URL(primaryUrl);
  u.hostname = '127.0.0.1';
  u.port = '3307';
  return u.toString();
}

export async function mochaGlobalTeardown(): Promise<void> {
  const cfg = loadConfig(process.env);
  const server = createDb(cfg, { database: '' });
  try {
    await server.raw(`DROP DATABASE IF EXISTS \`${databaseName(cfg.db.url)}\``);
  } finally {
    await server.destroy();
  }
  const redis = createRedis(cfg);
  try {
    await waitForRedis(redis);
    await deleteKeysWithPrefix(redis, cfg.redis.prefix);
  } finally {
    redis.disconnect();
  }
}
