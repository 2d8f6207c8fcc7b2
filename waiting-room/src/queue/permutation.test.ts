import { expect } from 'chai';
import { permute, unpermute } from './permutation.js';

describe('pre-queue permutation', () => {
  for (const n of [1, 2, 3, 7, 100, 1000, 4097]) {
    it(`is a bijection on [0, ${n}) and unpermute inverts it`, () => {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const p = permute(i, n, 0xdecafbad);
        expect(p).to.be.within(0, n - 1);
        seen.add(p);
        expect(unpermute(p, n, 0xdecafbad)).to.equal(i);
      }
      expect(seen.size).to.equal(n);
    });
  }

  it('gives a different order for a different seed, and the same order for the same seed', () => {
    const order = (seed: number) => Array.from({ length: 50 }, (_, i) => permute(i, 50, seed));
    expect(order(1)).to.deep.equal(order(1));
    expect(order(1)).to.not.deep.equal(order(2));
  });

  it('handles a million-person pre-queue at both ends', () => {
    const n = 1_000_000;
    for (const i of [0, 1, n - 2, n - 1]) expect(unpermute(permute(i, n, 7), n, 7)).to.equal(i);
  });

  it('refuses indexes outside the domain', () => {
    expect(() => permute(5, 5, 1)).to.throw(RangeError);
    expect(() => unpermute(-1, 5, 1)).to.throw(RangeError);
  });
});
