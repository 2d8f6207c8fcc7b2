import { expect } from 'chai';
import type { Express } from 'express';
import jwt from 'jsonwebtoken';
import type { Redis } from '../../../core/redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { createDb } from '../../../core/db.js';
import { createRedis } from '../../../core/redis.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { createTestUser, type TestUser } from '../../../test/support/users.js';
import { buildApiApp } from '../app.js';

describe('api auth', () => {
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let app: Express;
  let student: TestUser;
  let staff: TestUser;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    app = buildApiApp({ cfg, logger: testLogger, db, redis });
    student = await createTestUser(db, 'student');
    staff = await createTestUser(db, 'staff');
  });
  after(async () => {
    await db.destroy();
    redis.disconnect();
  });

  const login = (username: string, password: string) =>
    request(app).post('/api/auth/login').send({ username, password });

  it('signs in with the right password and returns an access and a refresh token', async () => {
    const res = await login(student.username, student.password);
    expect(res.status).to.equal(200);
    expect(res.body.tokenType).to.equal('Bearer');
    expect(res.body.accessToken).to.be.a('string');
    expect(res.body.refreshToken).to.be.a('string');
    expect(res.body.user).to.deep.equal({ id: student.id, username: student.username, role: 'student' });
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const wrong = await login(student.username, 'not the password');
    const unknown = await login('nobody_here_at_all', 'whatever');
    for (const res of [wrong, unknown]) {
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('INVALID_CREDENTIALS');
    }
  });

  it('refuses a login body without a password with 400', async () => {
    const res = await request(app).post('/api/auth/login').send({ username: student.username });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
  });

  it('returns the signed-in user from GET /api/me', async () => {
    const { body } = await login(student.username, student.password);
    const res = await request(app).get('/api/me').set('authorization', `Bearer ${body.accessToken}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ id: student.id, username: student.username, role: 'student', grade: 2 });
  });

  it('refuses /api/me without a token, with a tampered token and with an expired token', async () => {
    const { body } = await login(student.username, student.password);
    const token = body.accessToken as string;
    const [head, payload, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'staff' })).toString('base64url')}.${sig}`;
    const expired = jwt.sign({ usr: student.username, role: 'student', typ: 'access' }, cfg.auth.jwtSecret, {
      algorithm: 'HS256',
      subject: String(student.id),
      issuer: cfg.auth.issuer,
      audience: cfg.auth.audience,
      expiresIn: -10,
    });
    const otherSecret = jwt.sign({ usr: student.username, role: 'staff', typ: 'access' }, 'x'.repeat(40), {
      algorithm: 'HS256',
      subject: String(student.id),
      issuer: cfg.auth.issuer,
      audience: cfg.auth.audience,
    });
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;

    const cases: [string | undefined, string][] = [
      [undefined, 'UNAUTHENTICATED'],
      [tampered, 'TOKEN_INVALID'],
      [expired, 'TOKEN_EXPIRED'],
      [otherSecret, 'TOKEN_INVALID'],
      [none, 'TOKEN_INVALID'],
    ];
    for (const [bad, code] of cases) {
      const req = request(app).get('/api/me');
      const res = bad ? await req.set('authorization', `Bearer ${bad}`) : await req;
      expect(res.status, code).to.equal(401);
      expect(res.body.error.code).to.equal(code);
    }
  });

  it('refuses a student calling a staff route with 403, and lets staff in', async () => {
    const asStudent = (await login(student.username, student.password)).body.accessToken as string;
    const asStaff = (await login(staff.username, staff.password)).body.accessToken as string;
    const denied = await request(app)
      .get(`/api/staff/users/${student.id}`)
      .set('authorization', `Bearer ${asStudent}`);
    expect(denied.status).to.equal(403);
    expect(denied.body.error.code).to.equal('FORBIDDEN');
    const allowed = await request(app)
      .get(`/api/staff/users/${student.id}`)
      .set('authorization', `Bearer ${asStaff}`);
    expect(allowed.status).to.equal(200);
    expect(allowed.body.username).to.equal(student.username);
  });

  it('lets the configured browser origins call it cross-origin, and no others', async () => {
    const allowed = cfg.http.corsOrigins[0] as string;
    const preflight = await request(app)
      .options('/api/auth/login')
      .set('origin', allowed)
      .set('access-control-request-method', 'POST');
    expect(preflight.status).to.equal(204);
    expect(preflight.headers['access-control-allow-origin']).to.equal(allowed);
    const other = await request(app).options('/api/auth/login').set('origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).to.equal(undefined);
  });

  describe('refresh tokens', () => {
    it('rotates: a refresh gives a new pair and the old refresh token stops working', async () => {
      const first = (await login(student.username, student.password)).body as { refreshToken: string };
      const second = await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken });
      expect(second.status).to.equal(200);
      expect(second.body.refreshToken).to.not.equal(first.refreshToken);
      const me = await request(app).get('/api/me').set('authorization', `Bearer ${second.body.accessToken}`);
      expect(me.status).to.equal(200);

      const replay = await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken });
      expect(replay.status).to.equal(401);
      expect(replay.body.error.code).to.equal('REFRESH_TOKEN_REUSED');
    });

    it('revokes the whole family when a used refresh token is replayed', async () => {
      const first = (await login(student.username, student.password)).body as { refreshToken: string };
      const second = (await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }))
        .body as { refreshToken: string };
      await request(app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken });
      const afterTheft = await request(app)
        .post('/api/auth/refresh')
        .send({ refreshToken: second.refreshToken });
      expect(afterTheft.status).to.equal(401);
      expect(afterTheft.body.error.code).to.equal('REFRESH_TOKEN_INVALID');
    });

    it('lets exactly one of two concurrent refreshes with the same token win', async () => {
      const { refreshToken } = (await login(student.username, student.password)).body as {
        refreshToken: string;
      };
      const results = await Promise.all(
        [1, 2, 3, 4].map(() => request(app).post('/api/auth/refresh').send({ refreshToken })),
      );
      expect(results.filter((r) => r.status === 200)).to.have.length(1);
    });

    it('refuses an unknown refresh token and signs out a family on logout', async () => {
      const unknown = await request(app)
        .post('/api/auth/refresh')
        .send({ refreshToken: 'x'.repeat(43) });
      expect(unknown.status).to.equal(401);
      const { refreshToken } = (await login(student.username, student.password)).body as {
        refreshToken: string;
      };
      expect((await request(app).post('/api/auth/logout').send({ refreshToken })).status).to.equal(204);
      const after = await request(app).post('/api/auth/refresh').send({ refreshToken });
      expect(after.status).to.equal(401);
    });

    it('refuses an expired refresh token', async () => {
      const { refreshToken } = (await login(student.username, student.password)).body as {
        refreshToken: string;
      };
      await db('refresh_tokens')
        .where({ user_id: student.id })
        .whereNull('used_at')
        .update({ expires_at: new Date(Date.now() - 1000) });
      const res = await request(app).post('/api/auth/refresh').send({ refreshToken });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('REFRESH_TOKEN_EXPIRED');
    });
  });

  describe('login rate limits', () => {
    it('blocks an account after too many failed sign-ins, even with the right password', async () => {
      const limited = buildApiApp({
        cfg: testConfig({ LOGIN_MAX_PER_ACCOUNT: '3' }),
        logger: testLogger,
        db,
        redis,
      });
      const victim = await createTestUser(db, 'student');
      for (let i = 0; i < 3; i++) {
        const res = await request(limited)
          .post('/api/auth/login')
          .send({ username: victim.username, password: 'nope' });
        expect(res.status).to.equal(401);
      }
      const blocked = await request(limited)
        .post('/api/auth/login')
        .send({ username: victim.username, password: victim.password });
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('TOO_MANY_FAILED_LOGINS');
      expect(Number(blocked.headers['retry-after'])).to.be.greaterThan(0);
    });

    it('blocks an IP after too many attempts across accounts', async () => {
      const limited = buildApiApp({
        cfg: testConfig({ LOGIN_MAX_PER_IP: '4', TRUST_PROXY: 'loopback' }),
        logger: testLogger,
        db,
        redis,
      });
      // Behind a trusted proxy the client's address comes from X-Forwarded-For; a fresh one per run.
      const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await request(limited)
          .post('/api/auth/login')
          .set('x-forwarded-for', ip)
          .send({ username: `ghost${i}`, password: 'x' });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 4)).to.deep.equal([401, 401, 401, 401]);
      expect(statuses.slice(4)).to.deep.equal([429, 429]);
    });

    // The production defaults of the account budgets (the run's setup raises the account-wide one).
    const throttled = (env: Record<string, string> = {}) =>
      buildApiApp({
        cfg: testConfig({
          TRUST_PROXY: 'loopback',
          LOGIN_MAX_PER_ACCOUNT: '10',
          LOGIN_ACCOUNT_PER_MIN: '30',
          ...env,
        }),
        logger: testLogger,
        db,
        redis,
      });
    // A fresh address per call: other tests' attempts never share these budgets.
    const freshAddress = () =>
      `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    const attempt = (app: Express, ip: string, username: string, password: string) =>
      request(app).post('/api/auth/login').set('x-forwarded-for', ip).send({ username, password });

    it('lets the owner sign in from another address after 10 wrong passwords from one', async () => {
      const app = throttled();
      const victim = await createTestUser(db, 'student');
      const stranger = freshAddress();
      for (let i = 0; i < 10; i++) {
        expect((await attempt(app, stranger, victim.username, `guess ${i}`)).status).to.equal(401);
      }
      // The stranger's address is stopped, even with the right password...
      const blocked = await attempt(app, stranger, victim.username, victim.password);
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('TOO_MANY_FAILED_LOGINS');
      expect(Number(blocked.headers['retry-after'])).to.be.greaterThan(0);
      // ...the owner, elsewhere, is not.
      const owner = await attempt(app, freshAddress(), victim.username, victim.password);
      expect(owner.status).to.equal(200);
      expect(owner.body.user.id).to.equal(victim.id);
    });

    it('throttles 50 parallel wrong guesses for one account: only the budget reaches the password check', async () => {
      const app = throttled();
      const victim = await createTestUser(db, 'student');
      const ip = freshAddress();
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          attempt(app, ip, victim.username, `guess ${i}`).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 401)).to.have.length(10);
      expect(statuses.filter((s) => s === 429)).to.have.length(40);
    });

    it('bounds parallel guesses spread over many addresses with the account-wide budget', async () => {
      const app = throttled();
      const victim = await createTestUser(db, 'student');
      const statuses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          attempt(app, freshAddress(), victim.username, `guess ${i}`).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 401)).to.have.length(30);
      expect(statuses.filter((s) => s === 429)).to.have.length(20);
    });

    it("gives the attempt back on success: the owner's own typos never add up", async () => {
      const app = throttled({ LOGIN_MAX_PER_ACCOUNT: '3' });
      const owner = await createTestUser(db, 'student');
      const ip = freshAddress();
      for (let round = 0; round < 3; round++) {
        expect((await attempt(app, ip, owner.username, 'typo')).status).to.equal(401);
        expect((await attempt(app, ip, owner.username, 'typo')).status).to.equal(401);
        expect((await attempt(app, ip, owner.username, owner.password)).status).to.equal(200);
      }
    });

    it('counts a differently accented or cased name against the same account', async () => {
      const app = throttled({ LOGIN_MAX_PER_ACCOUNT: '3' });
      const victim = await createTestUser(db, 'student');
      const accented = victim.username.replace('student', 'stüdent');
      const upper = victim.username.toUpperCase();
      expect(accented).to.not.equal(victim.username);
      // The database finds the same row under the accented name (utf8mb4_unicode_ci)...
      const found = await attempt(app, freshAddress(), accented, victim.password);
      expect(found.status).to.equal(200);
      expect(found.body.user.id).to.equal(victim.id);
      // ...so guesses under either spelling spend the one budget of that account from this address.
      const ip = freshAddress();
      expect((await attempt(app, ip, accented, 'a')).status).to.equal(401);
      expect((await attempt(app, ip, upper, 'b')).status).to.equal(401);
      expect((await attempt(app, ip, `${accented}  `, 'c')).status).to.equal(401);
      const blocked = await attempt(app, ip, victim.username, victim.password);
      expect(blocked.status).to.equal(429);
    });

    it('folds an unknown name the way the database would, so its spellings share a budget too', async () => {
      const app = throttled({ LOGIN_MAX_PER_ACCOUNT: '2' });
      const ip = freshAddress();
      const name = `nobody_${Math.random().toString(36).slice(2, 10)}`;
      expect((await attempt(app, ip, name, 'a')).status).to.equal(401);
      expect((await attempt(app, ip, name.replace('o', 'Ö'), 'b')).status).to.equal(401);
      expect((await attempt(app, ip, name, 'c')).status).to.equal(429);
    });
  });
});
