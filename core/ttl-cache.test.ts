import { expect } from 'chai';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('serves a loaded value until it is older than the ttl, then loads again', async () => {
    // The cache reads Date.now(); a clock the test moves keeps a busy machine's pauses out of the ttl.
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      const cache = new TtlCache<number, string>(50);
      let loads = 0;
      const load = () => Promise.resolve(`v${++loads}`);
      expect(await cache.getOrLoad(1, load)).to.equal('v1');
      now += 49;
      expect(await cache.getOrLoad(1, load)).to.equal('v1');
      expect(await cache.getOrLoad(2, load), 'another key loads its own').to.equal('v2');
      now += 1;
      expect(cache.get(1), 'expired').to.equal(undefined);
      expect(cache.get(2), 'the other key is younger').to.equal('v2');
      expect(await cache.getOrLoad(1, load)).to.equal('v3');
    } finally {
      Date.now = realNow;
    }
  });

  it('does not keep what a failed load never produced', async () => {
    const cache = new TtlCache<number, number>(1_000);
    await cache.getOrLoad(1, () => Promise.reject(new Error('db away'))).catch(() => undefined);
    expect(cache.get(1)).to.equal(undefined);
    expect(await cache.getOrLoad(1, () => Promise.resolve(7))).to.equal(7);
  });

  it('gives concurrent misses of a key one load, and each of them its value', async () => {
    const cache = new TtlCache<number, string>(1_000);
    let loads = 0;
    let finish: (v: string) => void = () => undefined;
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const readers = Array.from({ length: 10 }, () => cache.getOrLoad(1, load));
    finish('v');
    expect(await Promise.all(readers)).to.deep.equal(Array(10).fill('v'));
    expect(loads).to.equal(1);
  });

  it('fails every reader waiting on a failed load, and loads afresh for the next', async () => {
    const cache = new TtlCache<number, number>(1_000);
    let loads = 0;
    const failing = () => {
      loads++;
      return Promise.reject(new Error('db away'));
    };
    const results = await Promise.allSettled([cache.getOrLoad(1, failing), cache.getOrLoad(1, failing)]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
    expect(loads).to.equal(1);
    expect(await cache.getOrLoad(1, () => Promise.resolve(3))).to.equal(3);
  });

  it('does not cache a load that answers undefined: the next read loads again', async () => {
    const cache = new TtlCache<number, number | undefined>(1_000);
    let loads = 0;
    expect(await cache.getOrLoad(1, () => Promise.resolve(loads++ === 0 ? undefined : 5))).to.equal(
      undefined,
    );
    expect(await cache.getOrLoad(1, () => Promise.resolve(loads++ === 0 ? undefined : 5))).to.equal(5);
    expect(loads).to.equal(2);
  });

  it('loads only the missing keys of a set, in one call, and leaves out and uncached the unknown', async () => {
    const cache = new TtlCache<number, string>(1_000);
    const calls: number[][] = [];
    const load = (keys: number[]) => {
      calls.push([...keys]);
      return Promise.resolve(new Map(keys.filter((k) => k < 100).map((k) => [k, `v${k}`])));
    };
    expect([...(await cache.getMany([1, 2], load))]).to.deep.equal([
      [1, 'v1'],
      [2, 'v2'],
    ]);
    const got = await cache.getMany([2, 3, 404], load);
    expect(got.get(2)).to.equal('v2');
    expect(got.get(3)).to.equal('v3');
    expect(got.has(404), 'an unknown key is absent').to.equal(false);
    await cache.getMany([404], load);
    expect(calls).to.deep.equal([[1, 2], [3, 404], [404]]);
  });

  it('with refreshAhead, serves an entry past half its life while one background load refreshes it', async () => {
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      const cache = new TtlCache<number, string>(100, { refreshAhead: true });
      let loads = 0;
      let finish: () => void = () => undefined;
      const load = () => {
        const n = ++loads;
        return n === 1
          ? Promise.resolve('v1')
          : new Promise<string>((resolve) => (finish = () => resolve(`v${n}`)));
      };
      expect(await cache.getOrLoad(1, load)).to.equal('v1');
      now += 49;
      expect(await cache.getOrLoad(1, load), 'young: no refresh').to.equal('v1');
      expect(loads).to.equal(1);
      now += 1;
      // Past half its life: served at once, and one refresh starts however many read meanwhile.
      expect(await cache.getOrLoad(1, load)).to.equal('v1');
      expect(await cache.getOrLoad(1, load)).to.equal('v1');
      expect(loads).to.equal(2);
      finish();
      await new Promise((resolve) => setImmediate(resolve));
      expect(await cache.getOrLoad(1, load)).to.equal('v2');
      // The refreshed entry counts its life from when its load began.
      now += 99;
      expect(cache.get(1)).to.equal('v2');
      now += 1;
      expect(cache.get(1)).to.equal(undefined);
    } finally {
      Date.now = realNow;
    }
  });

  it('with refreshAhead, keeps serving an entry whose refresh failed until it expires', async () => {
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    try {
      const cache = new TtlCache<number, string>(100, { refreshAhead: true });
      expect(await cache.getOrLoad(1, () => Promise.resolve('v1'))).to.equal('v1');
      now += 60;
      expect(await cache.getOrLoad(1, () => Promise.reject(new Error('db away')))).to.equal('v1');
      await new Promise((resolve) => setImmediate(resolve));
      expect(cache.get(1), 'still the old value').to.equal('v1');
      now += 40;
      await cache
        .getOrLoad(1, () => Promise.reject(new Error('db away')))
        .then(
          () => expect.fail('an expired entry whose load fails is a failure'),
          (err: Error) => expect(err.message).to.equal('db away'),
        );
    } finally {
      Date.now = realNow;
    }
  });
});
