import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { Redis } from '../redis.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppError } from '../errors.js';
import { createRedis, waitForRedis } from '../redis.js';
import { revocationChecker, revokeAdmission } from './admission-revocations.js';
import {
  ADMISSION_AUDIENCE,
  ADMISSION_ISSUER,
  signAdmissionToken,
  verifyAdmission,
} from './admission-token.js';

describe("the api's admission verifier", () => {
  const cfg = testConfig();
  let redis: Redis;
  let isRevoked: ReturnType<typeof revocationChecker>;
  const who = { userId: 501, roomId: 7 };

  before(async () => {
    redis = createRedis(cfg);
    await waitForRedis(redis);
    isRevoked = revocationChecker(redis, cfg.redis.prefix);
  });
  after(() => redis.disconnect());

  async function refusal(
    token: string | undefined,
    expected = who,
  ): Promise<{ status: number; code: string }> {
    try {
      await verifyAdmission(cfg.admission, token, expected, isRevoked);
    } catch (err) {
      if (err instanceof AppError) return { status: err.status, code: err.code };
      throw err;
    }
    expect.fail('the token was accepted');
  }

  it('accepts a token for this user and this room', async () => {
    const { token } = signAdmissionToken(cfg.admission, { ...who, queueNumber: 12 });
    const claims = await verifyAdmission(cfg.admission, token, who, isRevoked);
    expect(claims).to.include({ userId: 501, roomId: 7, queueNumber: 12 });
  });

  it('tells the person the expiry the token itself carries, at least its lifetime away', async () => {
    const before = Date.now();
    const { token, expiresAt } = signAdmissionToken(cfg.admission, { ...who, queueNumber: 3, ttlS: 1 });
    const claims = await verifyAdmission(cfg.admission, token, who, isRevoked);
    expect(expiresAt.getTime()).to.equal(claims.expiresAt.getTime());
    expect(expiresAt.getTime()).to.be.at.least(before + 1_000);
  });

  it('signs with ES256 and names its key', () => {
    const { token } = signAdmissionToken(cfg.admission, { ...who, queueNumber: 1 });
    const header = jwt.decode(token, { complete: true })?.header;
    expect(header).to.include({ alg: 'ES256', kid: cfg.admission.keyId });
  });

  it('refuses a missing token', async () => {
    expect(await refusal(undefined)).to.deep.equal({ status: 401, code: 'ADMISSION_REQUIRED' });
  });

  it('refuses a token forged with another key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = jwt.sign({ room: 7, qn: 1 }, privateKey, {
      algorithm: 'ES256',
      keyid: cfg.admission.keyId,
      subject: '501',
      audience: ADMISSION_AUDIENCE,
      issuer: ADMISSION_ISSUER,
      expiresIn: 600,
      jwtid: 'forged',
    });
    expect(await refusal(forged)).to.deep.equal({ status: 401, code: 'ADMISSION_INVALID' });
  });

  it('refuses an access token or an HS256 token passed off as an admission', async () => {
    const hs = jwt.sign({ room: 7, qn: 1 }, cfg.auth.jwtSecret, {
      algorithm: 'HS256',
      subject: '501',
      audience: ADMISSION_AUDIENCE,
      issuer: ADMISSION_ISSUER,
    });
    expect(await refusal(hs)).to.deep.equal({ status: 401, code: 'ADMISSION_INVALID' });
  });

  it('refuses an expired token', async () => {
    const { token, expiresAt } = signAdmissionToken(cfg.admission, { ...who, queueNumber: 1, ttlS: 1 });
    await new Promise((r) => setTimeout(r, expiresAt.getTime() - Date.now() + 50));
    expect(await refusal(token)).to.deep.equal({ status: 401, code: 'ADMISSION_EXPIRED' });
  });

  it("refuses another room's token", async () => {
    const { token } = signAdmissionToken(cfg.admission, { userId: 501, roomId: 8, queueNumber: 1 });
    expect(await refusal(token)).to.deep.equal({ status: 403, code: 'ADMISSION_OTHER_ROOM' });
  });

  it("refuses another user's token", async () => {
    const { token } = signAdmissionToken(cfg.admission, { userId: 502, roomId: 7, queueNumber: 1 });
    expect(await refusal(token)).to.deep.equal({ status: 403, code: 'ADMISSION_OTHER_USER' });
  });

  it('refuses a token an operator revoked, and only that one', async () => {
    const revoked = signAdmissionToken(cfg.admission, { ...who, queueNumber: 3 });
    const other = signAdmissionToken(cfg.admission, { ...who, queueNumber: 4 });
    await revokeAdmission(redis, cfg.redis.prefix, who.roomId, revoked.jti, revoked.expiresAt.getTime());
    expect(await refusal(revoked.token)).to.deep.equal({ status: 403, code: 'ADMISSION_REVOKED' });
    expect((await verifyAdmission(cfg.admission, other.token, who, isRevoked)).jti).to.equal(other.jti);
  });

  it('verifies with the public key alone, as the api holds it', async () => {
    const pem = cfg.admission.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const apiCfg = testConfig({ ADMISSION_PUBLIC_KEY: pem, ADMISSION_PRIVATE_KEY: '' });
    expect(apiCfg.admission.privateKey).to.equal(undefined);
    const { token } = signAdmissionToken(cfg.admission, { ...who, queueNumber: 5 });
    expect((await verifyAdmission(apiCfg.admission, token, who, isRevoked)).queueNumber).to.equal(5);
  });
});
