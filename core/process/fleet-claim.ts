import type { Redis } from '../redis.js';
import type { RedisKeys } from '../redis-keys.js';

/** Whether this process runs interval `interval` of a periodic task (every other process is told no). */
export type FleetClaim = (task: string, interval: number, everyMs: number) => Promise<boolean>;

/**
 * A claim per task and interval in Redis (SET NX with an expiry, ADR 024): the first process of the fleet to
 * ask for interval n of a task gets it, every other is refused, so sweeps run once per interval across any
 * number of processes, and still run while one process is left. The key outlives the interval a little, so a
 * late process cannot claim it again.
 */
export function redisFleetClaim(redis: Redis, keys: Pick<RedisKeys, 'periodicClaim'>): FleetClaim {
  return async (task, interval, everyMs) =>
    (await redis.set(
      keys.periodicClaim(task.replace(/\s+/g, '-'), interval),
      '1',
      'PX',
      everyMs * 3,
      'NX',
    )) === 'OK';
}
