import { expect } from 'chai';
import { loadConfig } from '../../../core/config.js';
import { TooManyRequestsError } from '../../../core/errors.js';
import { redisKeys } from '../../../core/redis-keys.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { LoginLimiter } from './login-limiter.js';

/** Students behind one campus NAT signing in around the opening, at 1.5 attempts each (ADR 014, Revised). */
const NAT_STUDENTS = 5_000;
const NAT_ATTEMPTS = NAT_STUDENTS * 1.5;

describe('the default per-address sign-in budget (LOGIN_MAX_PER_IP)', function () {
  this.timeout(60_000);
  // The run's setup raises the budget for every other test; this one reads the shipped default.
  const { LOGIN_MAX_PER_IP: _raised, ...env } = process.env;
  const cfg = loadConfig(env);
  let redis: Redis;

  before(async () => {
    redis = createRedis(cfg);
    await waitForRedis(redis);
  });
  after(() => redis.quit());

  it('lets a campus NAT’s rush through from one address, and stops a sprayer at the budget', async () => {
    const limiter = new LoginLimiter(redis, redisKeys(cfg.redis.prefix), cfg);
    const ip = '203.0.113.7'; // the run's Redis prefix is its own
    const refused: string[] = [];
    const take = () =>
      limiter.takeAddress(ip).catch((err: unknown) => {
        if (!(err instanceof TooManyRequestsError)) throw err;
        refused.push(err.code);
      });
    const inTurn = async (n: number) => {
      for (let done = 0; done < n; done += 500) {
        await Promise.all(Array.from({ length: Math.min(500, n - done) }, take));
      }
    };

    await inTurn(NAT_ATTEMPTS);
    expect(refused, 'the NAT’s sign-ins').to.deep.equal([]);
    // The rest of the budget, then one more: a sprayer on one address gets this many a window and no more.
    await inTurn(cfg.auth.loginMaxPerIp - NAT_ATTEMPTS);
    expect(refused).to.deep.equal([]);
    await take();
    expect(refused).to.deep.equal(['TOO_MANY_LOGINS_FROM_IP']);
    await redis.del(`${redisKeys(cfg.redis.prefix).loginLimitPrefix('ip')}:${ip}`);
  });
});
