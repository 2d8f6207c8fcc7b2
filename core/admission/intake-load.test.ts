import { expect } from 'chai';
import type { Redis } from '../redis.js';
import { createRedis, waitForRedis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import { testConfig } from '../../test/support/test-config.js';
import { INTAKE_FRESH_MS, IntakeLoad, publishIntake, readIntake } from './intake-load.js';

describe('the api intake load', () => {
  it('averages the submissions held over time, window by window', () => {
    let t = 0;
    const load = new IntakeLoad(() => t);
    const a = load.enter();
    t = 100;
    const b = load.enter();
    t = 200;
    a();
    a(); // letting go twice counts once
    t = 400;
    // 1 held for 100 ms, 2 for 100 ms, 1 for 200 ms: 500 / 400.
    expect(load.takeAverage()).to.equal(1.25);
    t = 600;
    expect(load.takeAverage(), 'the next window: b alone').to.equal(1);
    b();
    t = 700;
    expect(load.takeAverage()).to.equal(0);
  });

  describe('in Redis', function () {
    this.timeout(10_000);
    const cfg = testConfig();
    const key = redisKeys(cfg.redis.prefix).admissionIntake;
    let redis: Redis;

    before(async () => {
      redis = createRedis(cfg);
      await waitForRedis(redis);
    });
    afterEach(() => redis.del(key));
    after(() => redis.quit());

    const holding = (n: number) => {
      let t = 0;
      const load = new IntakeLoad(() => t);
      for (let i = 0; i < n; i += 1) load.enter();
      t = 500;
      return load;
    };

    it('reads the busiest process that published lately, and nothing when none did', async () => {
      expect(await readIntake(redis, key)).to.equal(null);
      await publishIntake(redis, key, holding(3));
      await publishIntake(redis, key, holding(40));
      expect(await readIntake(redis, key)).to.equal(40);
      expect(await readIntake(redis, key, INTAKE_FRESH_MS + 1_000), 'all stale').to.equal(null);
      expect(await redis.pttl(key)).to.be.above(0);
    });

    it("judges age by Redis's clock, ignores a stale process and forgets one gone for a minute", async () => {
      const [s, us] = await redis.time();
      const redisNowMs = Number(s) * 1_000 + Math.floor(Number(us) / 1_000);
      await redis.hset(key, 'stale', `90:${redisNowMs - INTAKE_FRESH_MS - 1_000}`);
      await redis.hset(key, 'gone', `80:${redisNowMs - 61_000}`);
      await redis.hset(key, 'garbled', 'many:soon');
      await publishIntake(redis, key, holding(5));
      expect(await readIntake(redis, key)).to.equal(5);
      expect(await redis.hkeys(key))
        .to.include('stale')
        .and.not.include('gone');
    });
  });
});
