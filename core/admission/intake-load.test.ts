import { expect } from 'chai';
import type { Redis } from '../redis.js';
import { createRedis, waitForRedis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import { testConfig } from '../../test/support/test-config.js';
import { INTAKE_FRESH_MS, IntakeLoad, publishIntake, readIntake } from './intake-load.js';

describe('the api intake load', () => {
  it('averages the submissions held over time, and how long each was held, window by window', () => {
    let t = 0;
    const load = new IntakeLoad(() => t);
    const a = load.enter();
    t = 100;
    const b = load.enter();
    t = 200;
    a();
    a(); // letting go twice counts once
    t = 400;
    // 1 held for 100 ms, 2 for 100 ms, 1 for 200 ms: 500 / 400 held; a, let go, was held 200 ms.
    expect(load.takeWindow()).to.deep.equal({ held: 1.25, holdMs: 200 });
    t = 600;
    // Nobody let go: the age of those still held (b, taken at 100), so a stalled intake reads as slow.
    expect(load.takeWindow(), 'the next window: b alone').to.deep.equal({ held: 1, holdMs: 500 });
    b();
    t = 700;
    expect(load.takeWindow()).to.deep.equal({ held: 0, holdMs: 500 });
    t = 800;
    expect(load.takeWindow(), 'nothing held, nothing let go').to.deep.equal({ held: 0, holdMs: 0 });
    // Many, each held briefly: a count that says throughput, and a short hold.
    for (let i = 0; i < 100; i += 1) {
      const leave = load.enter();
      t += 2;
      leave();
    }
    t = 1_000;
    expect(load.takeWindow()).to.deep.equal({ held: 1, holdMs: 2 });
  });

  it('reads a window between two clumps of arrivals by the holds that ended in it', () => {
    let t = 0;
    const load = new IntakeLoad(() => t);
    // A clump of 100 taken at once (a room's tick admits people together), answered over 200 ms.
    const clump = Array.from({ length: 100 }, () => load.enter());
    t = 100;
    clump.slice(0, 50).forEach((leave) => leave());
    expect(load.takeWindow().holdMs).to.equal(100);
    t = 200;
    clump.slice(50).forEach((leave) => leave());
    t = 250;
    // No arrival in this window, yet each answer took 200 ms: that is what a student waited.
    expect(load.takeWindow()).to.deep.equal({ held: 5_000 / 150, holdMs: 200 });
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

    const redisClockMs = async () => {
      const [s, us] = await redis.time();
      return Number(s) * 1_000 + Math.floor(Number(us) / 1_000);
    };

    /** n submissions taken at once and held through a 500 ms window: each held 500 ms. */
    const holding = (n: number) => {
      let t = 0;
      const load = new IntakeLoad(() => t);
      for (let i = 0; i < n; i += 1) load.enter();
      t = 500;
      return load;
    };

    it('reads the busiest process that published lately, with its hold, and nothing when none did', async () => {
      expect(await readIntake(redis, key)).to.equal(null);
      await publishIntake(redis, key, holding(3));
      await publishIntake(redis, key, holding(40));
      expect(await readIntake(redis, key)).to.deep.equal({ held: 40, holdMs: 500 });
      expect(await readIntake(redis, key, INTAKE_FRESH_MS + 1_000), 'all stale').to.equal(null);
      expect(await redis.pttl(key)).to.be.above(0);
    });

    it("judges age by Redis's clock, ignores a stale process and forgets one gone for a minute", async () => {
      const redisNowMs = await redisClockMs();
      await redis.hset(key, 'stale', `90:${redisNowMs - INTAKE_FRESH_MS - 1_000}`);
      await redis.hset(key, 'gone', `80:${redisNowMs - 61_000}`);
      await redis.hset(key, 'garbled', 'many:soon');
      await publishIntake(redis, key, holding(5));
      expect(await readIntake(redis, key)).to.deep.equal({ held: 5, holdMs: 500 });
      expect(await redis.hkeys(key))
        .to.include('stale')
        .and.not.include('gone');
    });

    it("reads an older process's `held:stampedAt` as a count with no hold", async () => {
      const redisNowMs = await redisClockMs();
      await redis.hset(key, 'older', `70:${redisNowMs}`);
      await publishIntake(redis, key, holding(5));
      expect(await readIntake(redis, key)).to.deep.equal({ held: 70, holdMs: null });
    });
  });
});
