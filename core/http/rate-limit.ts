import type { Request, RequestHandler } from 'express';
import type { Redis } from '../redis.js';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import { TooManyRequestsError } from '../errors.js';
import type { RedisKeys } from '../redis-keys.js';
import type { RateLimitKind } from './rate-limit-rules.js';

/** Seconds a refused caller should wait: rate-limiter-flexible's ms to the window's end, at least 1. */
export const retryAfterS = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * The request rate limits of ADR 014, counted in Redis so every process of a deployment shares them.
 * A check is one Redis round trip (rate-limiter-flexible's INCRBY + PEXPIRE Lua script, by EVALSHA);
 * a caller already over its budget costs none until its window ends (the in-memory block below).
 */
export class RateLimits {
  private readonly limiters: Map<RateLimitKind, RateLimiterRedis>;

  constructor(redis: Redis, keys: RedisKeys, rules: Config['rateLimits']) {
    this.limiters = new Map(
      (Object.keys(rules) as RateLimitKind[]).map((kind) => {
        const rule = rules[kind];
        const limiter = new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: keys.rateLimitPrefix(kind),
          points: rule.points,
          duration: rule.durationS,
          // Only a cache of what Redis said: once a key is over, this process refuses it without asking.
          inMemoryBlockOnConsumed: rule.points + 1,
        });
        return [kind, limiter];
      }),
    );
  }

  /** Counts one request of `who` (a user id or a client address); 429 RATE_LIMITED past the budget. */
  async take(kind: RateLimitKind, who: string | number): Promise<void> {
    const limiter = this.limiters.get(kind);
    if (!limiter) return;
    try {
      await limiter.consume(String(who));
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new TooManyRequestsError(
          'RATE_LIMITED',
          'Too many requests; wait and try again',
          retryAfterS(err),
        );
      }
      throw err;
    }
  }
}

/** Limits the signed-in user (run after requireAuth); `kindOf` picks the budget, undefined for none. */
export function limitPerUser(
  limits: RateLimits,
  kindOf: (req: Request) => RateLimitKind | undefined,
): RequestHandler {
  return async (req, _res, next) => {
    const kind = kindOf(req);
    if (kind && req.user) await limits.take(kind, req.user.id);
    next();
  };
}

/**
 * Limits the client address (req.ip, as TRUST_PROXY lets express read it): unauthenticated routes only.
 * `when` narrows a middleware mounted on a whole path to the requests it is about.
 */
export function limitPerAddress(
  limits: RateLimits,
  kind: RateLimitKind,
  when: (req: Request) => boolean = () => true,
): RequestHandler {
  return async (req, _res, next) => {
    if (when(req)) await limits.take(kind, req.ip ?? 'unknown');
    next();
  };
}

/** `authenticated` followed by a per-user limit, for routers that take one auth middleware. */
export function authenticatedAndLimited(
  authenticated: RequestHandler,
  limits: RateLimits,
  kindOf: (req: Request) => RateLimitKind | undefined,
): RequestHandler {
  const limit = limitPerUser(limits, kindOf);
  return (req, res, next) =>
    authenticated(req, res, (err?: unknown) => {
      if (err !== undefined && err !== null) next(err);
      else void Promise.resolve(limit(req, res, next)).catch(next);
    });
}
