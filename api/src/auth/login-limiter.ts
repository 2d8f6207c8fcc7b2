import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../../core/config.js';
import { TooManyRequestsError } from '../../../core/errors.js';
import type { RedisKeys } from '../../../core/redis-keys.js';

/**
 * Login throttling kept in Redis so every api process shares one count. Every attempt counts
 * against the caller's IP; only failed attempts count against the account, so an attacker can't
 * lock a student out by guessing, only slow guesses down, and a success clears the account's count.
 */
export class LoginLimiter {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;
  private readonly maxPerAccount: number;

  constructor(redis: Redis, keys: RedisKeys, cfg: Pick<Config, 'auth'>) {
    this.maxPerAccount = cfg.auth.loginMaxPerAccount;
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.loginLimitPrefix('ip'),
      points: cfg.auth.loginMaxPerIp,
      duration: cfg.auth.loginWindowS,
    });
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.loginLimitPrefix('account'),
      points: cfg.auth.loginMaxPerAccount,
      duration: cfg.auth.loginWindowS,
    });
  }

  /** Call before checking the password. Throws 429 when the IP or the account is over its limit. */
  async beforeAttempt(ip: string, username: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (err) {
      throw this.asTooMany(err, 'TOO_MANY_LOGINS_FROM_IP', 'Too many sign-in attempts from your address');
    }
    const account = await this.perAccount.get(accountKey(username));
    if (account && account.consumedPoints >= this.maxPerAccount) {
      throw new TooManyRequestsError(
        'TOO_MANY_FAILED_LOGINS',
        'Too many failed sign-ins for this account; wait and try again',
        Math.ceil(account.msBeforeNext / 1000),
      );
    }
  }

  async recordFailure(username: string): Promise<void> {
    try {
      await this.perAccount.consume(accountKey(username));
    } catch (err) {
      // Going over the limit here is expected; the next attempt is refused by beforeAttempt.
      if (!(err instanceof RateLimiterRes)) throw err;
    }
  }

  async recordSuccess(username: string): Promise<void> {
    await this.perAccount.delete(accountKey(username));
  }

  private asTooMany(err: unknown, code: string, message: string): unknown {
    if (err instanceof RateLimiterRes) {
      return new TooManyRequestsError(code, message, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    }
    return err;
  }
}

// Usernames are case-insensitive at sign-in, so the count must be too.
const accountKey = (username: string) => username.trim().toLowerCase();
