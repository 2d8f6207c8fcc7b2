import { expect } from 'chai';
import { drawOrderOf, tokenClaims } from './draw-order.js';

describe('the draw order check of the rush', () => {
  it('counts nobody when each second admits the next numbers in the draw', () => {
    const admissions = [
      { qn: 1, iat: 100 },
      { qn: 3, iat: 100 },
      { qn: 2, iat: 100 },
      { qn: 4, iat: 101 },
      { qn: 5, iat: 103 },
    ];
    expect(drawOrderOf(admissions)).to.deep.equal({
      admitted: 5,
      admitted_after_a_later_draw: 0,
      resolution_s: 1,
    });
  });

  it('counts each admitted in a later second than someone drawn after them', () => {
    const admissions = [
      { qn: 1, iat: 102 },
      { qn: 2, iat: 100 },
      { qn: 3, iat: 101 },
      { qn: 4, iat: 101 },
      { qn: 5, iat: 100 },
    ];
    // 1 came after 2–5; 3 and 4 after 5; 2 and 5 are not late.
    expect(drawOrderOf(admissions).admitted_after_a_later_draw).to.equal(3);
  });

  it('reads the queue number and signing second from a token, and nothing from a malformed one', () => {
    const payload = Buffer.from(JSON.stringify({ sub: '7', room: 1, qn: 42, iat: 1_700_000_000 })).toString(
      'base64url',
    );
    expect(tokenClaims(`h.${payload}.s`)).to.deep.equal({ qn: 42, iat: 1_700_000_000 });
    expect(tokenClaims('not-a-token')).to.equal(undefined);
    expect(tokenClaims(`h.${Buffer.from('{"qn":"x"}').toString('base64url')}.s`)).to.equal(undefined);
    expect(tokenClaims('h.%%%.s')).to.equal(undefined);
  });
});
