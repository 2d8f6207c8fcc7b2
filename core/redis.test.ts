import { expect } from 'chai';
import { testConfig } from '../test/support/test-config.js';
import { createRedis, waitForRedis, type Redis } from './redis.js';
import { runScript } from './redis-script.js';

describe('Redis connections (ADR 027)', () => {
  const cfg = testConfig();
  // One hash tag: on a Redis Cluster a multi-key command (the cleanup DEL) needs its keys in one slot.
  const key = (k: string) => `${cfg.redis.prefix}:{redis-test}:${k}`;
  const open: Redis[] = [];
  const connect = async (role: 'command' | 'blocking') => {
    const redis = createRedis(cfg, role);
    open.push(redis);
    await waitForRedis(redis);
    return redis;
  };
  after(async () => {
    const [redis] = open;
    if (redis) await redis.del(key('a'), key('b'), key('n'));
    for (const r of open) r.disconnect();
  });

  it('sends a request path’s commands of one turn of the event loop as one pipeline, each with its own reply', async () => {
    const redis = await connect('command');
    const replies = [
      redis.set(key('a'), '1'),
      redis.incr(key('n')),
      redis.incr(key('n')),
      runScript(redis, 'return redis.call("INCRBY", KEYS[1], ARGV[1])', 1, key('n'), 40),
      redis.hget(key('b'), 'missing'),
    ];
    expect(redis.autoPipelineQueueSize).to.equal(replies.length);
    expect(await Promise.all(replies)).to.deep.equal(['OK', 1, 2, 42, null]);
    expect(redis.autoPipelineQueueSize).to.equal(0);
  });

  it('fails only the command that failed in a pipeline', async () => {
    const redis = await connect('command');
    const [ok, wrongType, after] = await Promise.allSettled([
      redis.set(key('a'), 'text'),
      redis.incr(key('a')),
      redis.get(key('a')),
    ]);
    expect(ok).to.deep.equal({ status: 'fulfilled', value: 'OK' });
    expect(wrongType.status).to.equal('rejected');
    expect(after).to.deep.equal({ status: 'fulfilled', value: 'text' });
  });

  it('does not pipeline a blocking connection', async () => {
    const redis = await connect('blocking');
    const pending = [redis.incr(key('n')), redis.incr(key('n'))];
    expect(redis.autoPipelineQueueSize).to.equal(0);
    await Promise.all(pending);
  });
});
