import { createSecretKey, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { expiresAtS, JwsRefused, signJws, verifyJws, type JwsKey } from './compact-jws.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const secret = createSecretKey(Buffer.from('a development secret of at least 32 chars'));
const es: { sign: JwsKey; verify: JwsKey } = {
  sign: { alg: 'ES256', key: ec.privateKey },
  verify: { alg: 'ES256', key: ec.publicKey },
};
const hs: JwsKey = { alg: 'HS256', key: secret };
const expected = { iss: 'rushline', aud: 'rushline-admission' };
const claims = { ...expected, sub: '42', ttlS: 60 };

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof JwsRefused) return err.reason;
    throw err;
  }
  return 'accepted';
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('compact JWS', () => {
  it('reads what it signs, ES256 and HS256, with the header and the extra claims', () => {
    const t = signJws(es.sign, { ...claims, jti: 'j1' }, { room: 7 }, { kid: 'k1' });
    const { header, payload } = verifyJws(es.verify, t, expected);
    expect(header).to.include({ alg: 'ES256', kid: 'k1' });
    expect(payload).to.include({ sub: '42', room: 7, jti: 'j1', iss: 'rushline' });
    expect((payload.exp as number) - (payload.iat as number)).to.be.within(60, 61);
    expect(verifyJws(hs, signJws(hs, claims, { role: 'student' }), expected).payload.role).to.equal(
      'student',
    );
  });

  it('is good for at least its lifetime, whatever the millisecond it is signed in', () => {
    // Signed 1 ms before a second ends: `exp` rounded down from there left a 1 s token 1 ms to live.
    for (const signedAt of [12_000, 12_001, 12_999]) {
      const t = signJws(es.sign, { ...claims, ttlS: 1 }, {}, {}, signedAt);
      expect(refusal(() => verifyJws(es.verify, t, expected, signedAt + 999))).to.equal('accepted');
      expect(refusal(() => verifyJws(es.verify, t, expected, signedAt + 2_000))).to.equal('expired');
    }
    expect(expiresAtS(12_000, 1)).to.equal(13);
    expect(expiresAtS(12_001, 1)).to.equal(14);
  });

  it('agrees with jsonwebtoken both ways, so tokens issued before the switch still pass', () => {
    const byLib = jwt.sign({ room: 3 }, ec.privateKey, {
      algorithm: 'ES256',
      subject: '42',
      issuer: expected.iss,
      audience: expected.aud,
      expiresIn: 60,
      keyid: 'k1',
    });
    expect(verifyJws(es.verify, byLib, expected).payload.room).to.equal(3);
    const ours = signJws(es.sign, claims, { room: 3 });
    const decoded = jwt.verify(ours, ec.publicKey, {
      algorithms: ['ES256'],
      ...{ issuer: expected.iss, audience: expected.aud },
    });
    expect(decoded).to.include({ room: 3, sub: '42' });
    const hsByLib = jwt.sign({ typ: 'access' }, secret, {
      algorithm: 'HS256',
      subject: '1',
      issuer: expected.iss,
      audience: expected.aud,
      expiresIn: 60,
    });
    expect(verifyJws(hs, hsByLib, expected).payload.typ).to.equal('access');
  });

  it('refuses another algorithm, `none`, `crit`, a tampered payload or signature and malformed tokens', () => {
    const good = signJws(es.sign, claims, { room: 1 });
    const [h, p, s] = good.split('.') as [string, string, string];
    // The classic confusion: an HS256 token "signed" with the public key's text.
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' });
    const confused = signJws({ alg: 'HS256', key: createSecretKey(Buffer.from(pem)) }, claims, { room: 1 });
    expect(refusal(() => verifyJws(es.verify, confused, expected))).to.equal('algorithm');
    expect(refusal(() => verifyJws(es.verify, `${b64({ alg: 'none' })}.${p}.`, expected))).to.equal(
      'malformed',
    );
    expect(refusal(() => verifyJws(es.verify, `${b64({ alg: 'none' })}.${p}.${s}`, expected))).to.equal(
      'algorithm',
    );
    expect(
      refusal(() => verifyJws(es.verify, `${b64({ alg: 'ES256', crit: ['x'] })}.${p}.${s}`, expected)),
    ).to.equal('algorithm');
    const raised = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), room: 2 });
    expect(refusal(() => verifyJws(es.verify, `${h}.${raised}.${s}`, expected))).to.equal('signature');
    expect(refusal(() => verifyJws(es.verify, `${h}.${p}.${s.slice(0, -4)}AAAA`, expected))).to.equal(
      'signature',
    );
    expect(refusal(() => verifyJws(es.verify, `${h}.${p}.${s}AA`, expected))).to.equal('signature');
    for (const bad of ['', 'a.b', 'a.b.c.d', `${h}.${p}.${s}=`, `${h}.%${p}.${s}`, `${b64('x')}.${p}.${s}`])
      expect(
        refusal(() => verifyJws(es.verify, bad, expected)),
        bad,
      ).to.be.oneOf(['malformed', 'algorithm']);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(refusal(() => verifyJws({ alg: 'ES256', key: other.publicKey }, good, expected))).to.equal(
      'signature',
    );
  });

  it('refuses an expired or not-yet-valid token, or one for another issuer or audience', () => {
    const now = Date.now();
    const t = signJws(hs, claims, {}, {}, now);
    expect(refusal(() => verifyJws(hs, t, expected, now + 59_000))).to.equal('accepted');
    expect(refusal(() => verifyJws(hs, t, expected, now + 61_000))).to.equal('expired');
    const later = signJws(hs, claims, { nbf: Math.floor(now / 1000) + 30 }, {}, now);
    expect(refusal(() => verifyJws(hs, later, expected, now))).to.equal('not-yet-valid');
    expect(refusal(() => verifyJws(hs, t, { ...expected, iss: 'someone' }, now))).to.equal('claims');
    expect(refusal(() => verifyJws(hs, t, { ...expected, aud: 'rushline' }, now))).to.equal('claims');
    const noExp = jwt.sign({ iss: expected.iss, aud: expected.aud }, secret, { algorithm: 'HS256' });
    expect(refusal(() => verifyJws(hs, noExp, expected))).to.equal('claims');
  });
});
