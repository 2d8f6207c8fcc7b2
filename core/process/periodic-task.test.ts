import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createRedis, waitForRedis, type Redis } from '../redis.js';
import { redisKeys } from '../redis-keys.js';
import { testConfig } from '../../test/support/test-config.js';
import { testLogger } from '../../test/support/silent-logger.js';
import { redisFleetClaim } from './fleet-claim.js';
import { PeriodicTask } from './periodic-task.js';

describe('a periodic task with a fleet claim', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  const connections: Redis[] = [];

  after(() => {
    for (const r of connections) r.disconnect();
  });

  it('runs once per interval across three processes, and every interval while they run', async () => {
    const everyMs = 200;
    // Each "process" has its own connection, as separate workers would.
    const runs: { proc: number; interval: number }[] = [];
    const tasks = await Promise.all(
      [0, 1, 2].map(async (proc) => {
        const redis = createRedis(cfg);
        connections.push(redis);
        await waitForRedis(redis);
        const claim = redisFleetClaim(redis, redisKeys(cfg.redis.prefix));
        const task = new PeriodicTask(
          'fleet claim test',
          () => {
            runs.push({ proc, interval: Math.round(Date.now() / everyMs) });
            return Promise.resolve();
          },
          everyMs,
          testLogger,
          claim,
        );
        task.start();
        return task;
      }),
    );
    await sleep(3_000);
    await Promise.all(tasks.map((t) => t.stop()));

    const intervals = runs.map((r) => r.interval);
    expect(new Set(intervals).size, 'no interval ran twice').to.equal(intervals.length);
    // 15 intervals in 3 s; a busy machine may lose a few to late timers, never most of them.
    expect(intervals.length).to.be.within(8, 16);
    const byProc = tasks.map((t) => t.stats.runs);
    expect(byProc.reduce((a, b) => a + b, 0)).to.equal(intervals.length);
  });
});
