import { scanKeys, unlinkKeys, type Redis } from '../../core/redis.js';

/**
 * Deletes every key under `<prefix>:` with SCAN (never KEYS, which blocks a shared Redis), on every
 * master of a Redis Cluster.
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of scanKeys(redis, `${prefix}:*`)) deleted += await unlinkKeys(redis, keys);
  return deleted;
}
