import { setTimeout as sleep } from 'node:timers/promises';
import { RETRYABLE_DB_ERRORS } from './db.js';

/**
 * Runs a whole transaction again when MySQL chose it as a deadlock victim or its lock wait timed out;
 * a bounded number of times, with jittered exponential backoff. Anything else is rethrown at once.
 */
export async function retryOnLockConflict<T>(
  fn: () => Promise<T>,
  attempts = 5,
  baseMs = 10,
  /** Told each time the transaction is about to run again (the commit metrics count them by reason). */
  onRetry?: (code: string) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (attempt >= attempts || typeof code !== 'string' || !RETRYABLE_DB_ERRORS.has(code)) throw err;
      onRetry?.(code);
      await sleep(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}
