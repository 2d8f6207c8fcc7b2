import { expect } from 'chai';
import { FD_RESERVE, fitPushSizes, maxPushClients, PUSH_DEFAULT_SIZES } from './push-sizes.js';

describe('push sizes', () => {
  const bound = '`ulimit -n` 20000 (hard 20000)';

  it('keeps the lower of the file limit and the local port range, less the reserve', () => {
    expect(maxPushClients({ soft: 20_000, hard: 20_000 }, 28_232)).to.equal(20_000 - FD_RESERVE);
    expect(maxPushClients({ soft: 65_536, hard: 65_536 }, 28_232)).to.equal(28_232 - FD_RESERVE);
    expect(maxPushClients({ soft: null, hard: null }, null)).to.equal(Infinity);
    expect(maxPushClients({ soft: 500, hard: 500 }, null)).to.equal(0);
  });

  it('replaces a default size that does not fit with the largest that does, in thousands', () => {
    const fitted = fitPushSizes({ requested: undefined, max: 19_000, bound });
    expect(fitted).to.deep.equal({
      ok: true,
      sizes: [1_000, 5_000, 19_000],
      note: `20,000 clients do not fit ${bound}: measuring 19,000 instead`,
    });
    expect(fitPushSizes({ requested: undefined, max: 19_488, bound })).to.include({ ok: true });
    expect(fitPushSizes({ requested: undefined, max: 19_488, bound })).to.have.deep.property(
      'sizes',
      [1_000, 5_000, 19_000],
    );
  });

  it('keeps the defaults untouched when they fit', () => {
    expect(fitPushSizes({ requested: undefined, max: 64_000, bound })).to.deep.equal({
      ok: true,
      sizes: PUSH_DEFAULT_SIZES,
    });
  });

  it('drops defaults above the bound without repeating the largest that fits', () => {
    expect(fitPushSizes({ requested: undefined, max: 4_200, bound })).to.have.deep.property(
      'sizes',
      [1_000, 4_000],
    );
    expect(fitPushSizes({ requested: undefined, max: 1_000, bound })).to.have.deep.property('sizes', [1_000]);
    expect(fitPushSizes({ requested: undefined, max: 300, bound })).to.have.deep.property('sizes', [300]);
  });

  it('fails in one line naming the size and the bound when --sizes asks for more than fits', () => {
    const fitted = fitPushSizes({ requested: [1_000, 30_000], max: 19_000, bound });
    expect(fitted.ok).to.equal(false);
    if (fitted.ok) return;
    expect(fitted.error).to.contain('30,000').and.contain(bound).and.contain('19,000');
    expect(fitted.error).not.to.contain('\n');
  });

  it('sorts and de-duplicates the sizes asked for, as each adds to the clients already connected', () => {
    expect(fitPushSizes({ requested: [5_000, 1_000, 5_000], max: 19_000, bound })).to.deep.equal({
      ok: true,
      sizes: [1_000, 5_000],
    });
  });

  it('fails when not even one client fits', () => {
    expect(fitPushSizes({ requested: undefined, max: 0, bound })).to.deep.equal({
      ok: false,
      error: `push: no clients fit ${bound}`,
    });
  });
});
