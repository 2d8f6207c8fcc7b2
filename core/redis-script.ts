import { createHash } from 'node:crypto';
import type { Redis } from './redis.js';

const shas = new Map<string, string>();

/**
 * Runs a Lua script by its SHA1 (EVALSHA), sending the body only when Redis doesn't have it yet (after
 * a restart or a SCRIPT FLUSH). On the join path this saves Redis hashing a kilobyte of script per call.
 */
export async function runScript(
  redis: Redis,
  script: string,
  numKeys: number,
  ...args: (string | number)[]
): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('NOSCRIPT'))
      return redis.eval(script, numKeys, ...args);
    throw err;
  }
}
