import type { Redis } from '../../../core/redis.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../../../core/config.js';
import { TooManyRequestsError } from '../../../core/errors.js';
import { retryAfterS } from '../../../core/http/rate-limit.js';
import type { RedisKeys } from '../../../core/redis-keys.js';

/**
 * Sign-in throttling kept in Redis so every api process shares one count (ADR 014). Three budgets, each
 * taken BEFORE the password is checked, so parallel guesses can't all slip past a count read first and
 * written after:
 * - per client address, across accounts (guards the lookup and scrypt against one address);
 * - per account from that address: what failures use up; a success gives it back. A stranger who guesses
 *   wrong slows only their own address down, never the owner signing in from elsewhere;
 * - per account from all addresses, per minute: bounds guessing spread over many addresses; a short
 *   window, so at worst it slows the owner for a minute while someone keeps guessing.
 * Each check is one Redis round trip; they run one after another so a refused attempt uses up nothing
 * further along (an address over its account budget can't drain the account-wide one).
 */
export class LoginLimiter {
  private readonly perIp: RateLimiterRedis;
  private readonly perAccountAddress: RateLimiterRedis;
  private readonly perAccount: RateLimiterRedis;

  constructor(redis: Redis, keys: RedisKeys, cfg: Pick<Config, 'auth'>) {
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.loginLimitPrefix('ip'),
      points: cfg.auth.loginMaxPerIp,
      duration: cfg.auth.loginWindowS,
    });
    this.perAccountAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.loginLimitPrefix('account-address'),
      points: cfg.auth.loginMaxPerAccount,
      duration: cfg.auth.loginWindowS,
    });
    this.perAccount = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: keys.loginLimitPrefix('account'),
      points: cfg.auth.loginMaxPerAccountPerMin,
      duration: 60,
    });
  }

  /** First, before looking the account up: 429 when this address has tried too often. */
  async takeAddress(ip: string): Promise<void> {
    await take(this.perIp, ip, 'TOO_MANY_LOGINS_FROM_IP', 'Too many sign-in attempts from your address');
  }

  /** Then, before the password check: 429 when this account has been tried too often. */
  async takeAccount(account: string, ip: string): Promise<void> {
    const message = 'Too many failed sign-ins for this account; wait and try again';
    await take(this.perAccountAddress, `${account}|${ip}`, 'TOO_MANY_FAILED_LOGINS', message);
    await take(this.perAccount, account, 'TOO_MANY_FAILED_LOGINS', message);
  }

  /** The right password: this address's failures are forgotten and the attempt given back. */
  async giveBack(account: string, ip: string): Promise<void> {
    await Promise.all([
      this.perAccountAddress.delete(`${account}|${ip}`),
      this.perAccount.reward(account, 1),
    ]);
  }
}

async function take(limiter: RateLimiterRedis, key: string, code: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new TooManyRequestsError(code, message, retryAfterS(err));
    throw err;
  }
}

/**
 * The account a sign-in attempt is about: the user's id when the name finds a row (so every spelling the
 * database matches shares one budget), else the name folded the way the users table's collation
 * (utf8mb4_unicode_ci) compares it: case and accents ignored, trailing spaces ignored, ß as ss.
 */
export function accountKey(userId: number | undefined, username: string): string {
  if (userId !== undefined) return `u:${userId}`;
  const folded = username
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .trimEnd();
  return `n:${folded}`;
}
