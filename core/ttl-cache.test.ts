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
});
