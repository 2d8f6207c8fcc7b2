import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

export type { Redis };

export type RedisRole =
  /** Request paths: fail fast with a 503 instead of queueing commands while Redis is away. */
  | 'command'
  /** Blocking consumers (BullMQ workers, subscribers): wait for Redis to come back. */
  | 'blocking';

export function createRedis(cfg: Pick<Config, 'redis'>, role: RedisRole = 'command', name?: string): Redis {
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    // Reconnect forever with a capped backoff: Redis restarts must not need a Rushline restart.
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    ...(role === 'blocking'
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
  };
  return new Redis(cfg.redis.url, options);
}

/** Resolves once the client is ready, or rejects after timeoutMs. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
