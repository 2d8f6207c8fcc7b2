import { signAccessToken, type Role } from '../../core/auth/access-token.js';
import type { Config } from '../../core/config.js';

/**
 * Access tokens for users that need not exist in MySQL: the waiting room trusts the token alone,
 * so load tests can stand thousands of people up without inserting them.
 */
export function tokenFor(cfg: Pick<Config, 'auth'>, userId: number, role: Role = 'student'): string {
  return signAccessToken(cfg.auth, { id: userId, username: `user${userId}`, role }).token;
}

/** Runs fn over items with at most `limit` in flight at once, keeping results in order. */
export async function mapConcurrent<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return results;
}
