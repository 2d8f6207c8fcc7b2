import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Redis } from '../../core/redis.js';
import { loadConfig, type Config } from '../../core/config.js';
import { createDb, databaseName } from '../../core/db.js';
import { loadEnvFile } from '../../core/env-file.js';
import { migrateLatest } from '../../core/migrate.js';
import { createRedis, scanKeys, unlinkKeys, waitForRedis } from '../../core/redis.js';
import { startAppProcess, type AppProcess } from '../lib/app-process.js';
import { signAccessToken } from '../../core/auth/access-token.js';
import { LoopLagMemory } from './server-latency.js';

/**
 * A scenario's own world: a fresh database and Redis prefix (so a benchmark never touches the demo or a
 * test run), the processes it started, and a teardown that removes all of it.
 */
export interface BenchEnv {
  cfg: Config;
  db: Knex;
  redis: Redis;
  /** Environment for processes the scenario starts, pointing at its database and prefix. */
  env: Record<string, string>;
  start(name: 'api' | 'waiting-room' | 'worker', extra?: Record<string, string>): Promise<AppProcess>;
  /** The event-loop delay the periodic scrapes read (and prom-client then reset), per process URL. */
  loops: LoopLagMemory;
  teardown(): Promise<void>;
}

/**
 * Whether the measured processes record metrics and write access lines (`--observability`, default on,
 * as deployed). On, each process is also scraped as Prometheus would scrape it (deploy/prometheus:
 * every 15 s), so the figures include what a scrape costs; off, neither is there (the cost comparison).
 */
let defaultObservability: 'on' | 'off' = 'on';
const SCRAPE_INTERVAL_MS = 15_000;

export function setBenchObservability(mode: 'on' | 'off'): void {
  defaultObservability = mode;
}

export function benchObservability(): 'on' | 'off' {
  return defaultObservability;
}

/**
 * Reads each process's /metrics every interval until stopped; a failed scrape is skipped, as Prometheus
 * would. What a scrape resets (the event-loop delay) goes to `loops`, so the run's figures keep it.
 */
export function startScraper(urls: () => readonly string[], loops?: LoopLagMemory): () => void {
  const timer = setInterval(() => {
    for (const url of urls()) {
      void fetch(`${url}/metrics`)
        .then(async (res) => {
          const text = await res.text();
          if (res.ok) loops?.note(url, text);
        })
        .catch(() => undefined);
    }
  }, SCRAPE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export async function createBenchEnv(
  scenario: string,
  opts: { observability?: 'on' | 'off' } = {},
): Promise<BenchEnv> {
  const observability = opts.observability ?? benchObservability();
  loadEnvFile();
  const base = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dbName = `rushline_bench_${scenario}_${id}`;
  const url = new URL(base.db.url);
  url.pathname = `/${dbName}`;
  // info: the process runner learns each process's port from its "listening" line (requests log at debug).
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `b${id}`,
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    // The join scenario stands its crowd up by access token alone, with no users rows.
    AUTH_ACCOUNT_CHECK: 'false',
    ACCESS_LOG: String(observability === 'on'),
    METRICS: String(observability === 'on'),
    // `bench --redis-cluster` (ADR 023): named although inherited, so the env says where the run's Redis is.
    ...(process.env.REDIS_CLUSTER_NODES ? { REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES } : {}),
  };
  const server = createDb(base, { database: '', poolMax: 1 });
  await server.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [dbName]);
  await server.destroy();
  const cfg = loadConfig({ ...process.env, ...env });
  const db = createDb(cfg, { poolMax: 16 });
  const redis = createRedis(cfg, 'blocking');
  try {
    await migrateLatest(db);
    await waitForRedis(redis);
  } catch (err) {
    // Leave nothing behind when the scenario can't even start.
    redis.disconnect();
    await db.destroy();
    const cleaner = createDb(base, { database: '', poolMax: 1 });
    await cleaner.raw('DROP DATABASE IF EXISTS ??', [dbName]).finally(() => cleaner.destroy());
    throw err;
  }
  const processes: AppProcess[] = [];
  const loops = new LoopLagMemory();
  const stopScraper =
    observability === 'on' ? startScraper(() => processes.map((p) => p.url), loops) : () => {};
  return {
    cfg,
    loops,
    db,
    redis,
    env,
    start: async (name, extra = {}) => {
      const p = await startAppProcess(name, { ...env, ...extra });
      processes.push(p);
      return p;
    },
    teardown: async () => {
      stopScraper();
      await Promise.allSettled(processes.map((p) => p.stop()));
      await db.destroy();
      const cleaner = createDb(base, { database: '', poolMax: 1 });
      // Whatever happens to the database, the Redis keys go too (below).
      await cleaner
        .raw('DROP DATABASE IF EXISTS ??', [databaseName(cfg.db.url)])
        .catch((err: unknown) => console.error(`could not drop ${databaseName(cfg.db.url)}: ${String(err)}`))
        .finally(() => cleaner.destroy());
      // Every master of a Redis Cluster holds some of the run's keys.
      for await (const keys of scanKeys(redis, `${cfg.redis.prefix}:*`)) await unlinkKeys(redis, keys);
      redis.disconnect();
    },
  };
}

/** A one-line progress bar on stderr, so `--json` output on stdout stays clean. */
export function progress(label: string, total: number): { tick(done: number): void; end(): void } {
  const width = 30;
  let last = -1;
  const draw = (done: number) => {
    const pct = Math.min(1, total === 0 ? 1 : done / total);
    const filled = Math.round(pct * width);
    if (filled === last) return;
    last = filled;
    process.stderr.write(
      `\r${label.padEnd(28)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.round(pct * 100)}%`,
    );
  };
  return { tick: draw, end: () => (draw(total), process.stderr.write('\n')) };
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * A registration room that opened a second ago and admits one person a minute, so joining is all the
 * scenario measures (nobody is let through to do anything else).
 */
export async function insertOpenRoom(db: Knex, slug: string, ratePerMin = 1): Promise<number> {
  const [roomId] = await db('waiting_rooms').insert({
    slug,
    name: slug,
    kind: 'registration',
    admission_rate_per_min: ratePerMin,
    max_active: 1,
    prequeue_opens_at: new Date(Date.now() - 60_000),
    opens_at: new Date(Date.now() - 1_000),
  });
  if (roomId === undefined) throw new Error(`could not create the room ${slug}`);
  return roomId;
}

/**
 * Access tokens for `count` distinct students numbered from `firstId`, signed up front so the load
 * generator spends nothing on signing; every join is then a new person (a repeat is a cheaper read).
 */
export function signStudentTokens(cfg: Config, firstId: number, count: number, label: string): string[] {
  const bar = progress(label, count);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = firstId + i;
    tokens.push(signAccessToken(cfg.auth, { id, username: `bench${id}`, role: 'student' }).token);
    if (i % 5_000 === 0) bar.tick(i);
  }
  bar.end();
  return tokens;
}
