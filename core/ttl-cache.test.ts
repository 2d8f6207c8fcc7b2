import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('serves a loaded value until it is older than the ttl, then loads again', async () => {
    const cache = new TtlCache<number, string>(50);
    let loads = 0;
    const load = () => Promise.resolve(`v${++loads}`);
    expect(await cache.getOrLoad(1, load)).to.equal('v1');
    expect(await cache.getOrLoad(1, load)).to.equal('v1');
    expect(await cache.getOrLoad(2, load), 'another key loads its own').to.equal('v2');
    await sleep(80);
    expect(cache.get(1), 'expired').to.equal(undefined);
    expect(await cache.getOrLoad(1, load)).to.equal('v3');
  });

  it('does not keep what a failed load never produced', async () => {
    const cache = new TtlCache<number, number>(1_000);
    await cache.getOrLoad(1, () => Promise.reject(new Error('db away'))).catch(() => undefined);
    expect(cache.get(1)).to.equal(undefined);
    expect(await cache.getOrLoad(1, () => Promise.resolve(7))).to.equal(7);
  });
});
