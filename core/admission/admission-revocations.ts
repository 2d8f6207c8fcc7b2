import type { Redis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import type { IsRevoked } from './admission-token.js';

/**
 * Revoked admission token ids per room, in a sorted set scored by the token's expiry so entries can
 * be dropped once the token would have expired anyway. Shared by the waiting room (writes) and the
 * api (reads) through Redis, never through a call between services.
 */
export const revokedKey = (prefix: string, roomId: number) => redisKeys(prefix).room(roomId, 'revoked');

export async function revokeAdmission(
  redis: Redis,
  prefix: string,
  roomId: number,
  jti: string,
  expiresAtMs: number,
): Promise<void> {
  const key = revokedKey(prefix, roomId);
  await redis.multi().zadd(key, expiresAtMs, jti).zremrangebyscore(key, '-inf', Date.now()).exec();
}

export function revocationChecker(redis: Redis, prefix: string): IsRevoked {
  return async (roomId, jti) => (await redis.zscore(revokedKey(prefix, roomId), jti)) !== null;
}
