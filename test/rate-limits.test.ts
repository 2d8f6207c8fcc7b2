import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { createRedis } from '../core/redis.js';
import { LiveClient } from './support/live-client.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';
import { createTestUser } from './support/users.js';
import { createTestRoom, startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

/** Small budgets so a few requests reach them; every other test of the run has huge ones (global setup). */
const env = {
  TRUST_PROXY: 'loopback',
  RATE_LIMITS:
    'join=2/60,status=3/60,watch=2/60,rooms=2/60,submit=2/60,pay=2/60,cancel=2/60,refresh=2/60,logout=2/60',
};

// A fresh address per call, so budgets of earlier runs on this Redis prefix never interfere.
const freshAddress = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

interface Answer {
  status: number;
  body: { error?: { code: string } };
  headers: Record<string, string>;
}

/** The first `budget` answers get through (whatever they say), the next is 429 RATE_LIMITED with Retry-After. */
function expectLimitedAfter(answers: Answer[], budget: number): void {
  const statuses = answers.map((a) => a.status);
  expect(statuses.slice(0, budget), `statuses ${statuses.join()}`).to.not.include(429);
  const refused = answers[budget];
  expect(refused?.status, `statuses ${statuses.join()}`).to.equal(429);
  expect(refused?.body.error?.code).to.equal('RATE_LIMITED');
  expect(Number(refused?.headers['retry-after'])).to.be.within(1, 60);
}

async function inTurn<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await fn(i));
  return out;
}

describe('request rate limits', function () {
  this.timeout(30_000);
  const cfg = testConfig(env);
  let db: Knex;
  let redis: Redis;

  before(() => {
    db = createDb(cfg);
    redis = createRedis(cfg);
  });
  after(async () => {
    await db.destroy();
    redis.disconnect();
  });

  describe('api', () => {
    const app = () => buildApiApp({ cfg, logger: testLogger, db, redis });

    it('limits submissions per user, not reads, and not other users', async () => {
      const api = app();
      const [a, b] = [await createTestUser(db), await createTestUser(db)];
      const submit = (userId: number) =>
        request(api)
          .post('/api/enrollments')
          .set('authorization', `Bearer ${tokenFor(cfg, userId)}`)
          .send({});
      expectLimitedAfter(await inTurn(3, () => submit(a.id)), 2);
      expect((await submit(b.id)).status).to.not.equal(429);
      const reads = await inTurn(3, () =>
        request(api)
          .get('/api/enrollments')
          .set('authorization', `Bearer ${tokenFor(cfg, a.id)}`),
      );
      expect(reads.map((r) => r.status)).to.deep.equal([200, 200, 200]);
    });

    it('limits paying and cancelling per user, each on its own budget', async () => {
      const api = app();
      const user = await createTestUser(db);
      const auth = `Bearer ${tokenFor(cfg, user.id)}`;
      const pay = () => request(api).post('/api/reservations/999999/pay').set('authorization', auth).send({});
      const cancel = () => request(api).delete('/api/reservations/999999').set('authorization', auth);
      expectLimitedAfter(await inTurn(3, pay), 2);
      expectLimitedAfter(await inTurn(3, cancel), 2);
    });

    it('limits refresh and logout per client address', async () => {
      const api = app();
      const ip = freshAddress();
      const token = 'x'.repeat(32);
      const refresh = (from: string) =>
        request(api).post('/api/auth/refresh').set('x-forwarded-for', from).send({ refreshToken: token });
      const logout = (from: string) =>
        request(api).post('/api/auth/logout').set('x-forwarded-for', from).send({ refreshToken: token });
      expectLimitedAfter(await inTurn(3, () => refresh(ip)), 2);
      expect((await refresh(freshAddress())).status).to.equal(401);
      expectLimitedAfter(await inTurn(3, () => logout(ip)), 2);
    });
  });

  describe('waiting room', () => {
    let wr: RunningWaitingRoom;
    let roomId: number;
    const clients: LiveClient[] = [];

    before(async () => {
      wr = await startWaitingRoom({ env, controller: false });
      roomId = await createTestRoom(db);
    });
    after(async () => {
      for (const c of clients) c.close();
      await wr.stop();
    });

    it('limits joins per user on the raw join path', async () => {
      const [a, b] = [await createTestUser(db), await createTestUser(db)];
      const join = async (userId: number) => {
        const res = await fetch(`${wr.url}/rooms/${roomId}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
          body: JSON.stringify({ clientRequestId: `rate-${userId}-x` }),
        });
        return {
          status: res.status,
          body: (await res.json()) as Answer['body'],
          headers: { 'retry-after': res.headers.get('retry-after') ?? '' },
        };
      };
      expectLimitedAfter(await inTurn(3, () => join(a.id)), 2);
      expect((await join(b.id)).status).to.not.equal(429);
    });

    it('limits status per user, and the public room list per address', async () => {
      const user = await createTestUser(db);
      const status = () =>
        request(wr.url)
          .get(`/rooms/${roomId}/status`)
          .set('authorization', `Bearer ${tokenFor(cfg, user.id)}`);
      expectLimitedAfter(await inTurn(4, status), 3);
      const ip = freshAddress();
      const list = (from: string) => request(wr.url).get('/rooms').set('x-forwarded-for', from);
      expectLimitedAfter(await inTurn(3, () => list(ip)), 2);
      expect((await list(freshAddress())).status).to.equal(200);
    });

    it('limits watch per user on the socket, answering the ack with RATE_LIMITED', async () => {
      const user = await createTestUser(db);
      const client = new LiveClient(wr.url, tokenFor(cfg, user.id));
      clients.push(client);
      await client.connected();
      const outcomes = await inTurn(3, () =>
        client.watch(roomId).then(
          () => 'ok',
          (err: unknown) => String(err),
        ),
      );
      expect(
        outcomes.slice(0, 2).every((o) => !o.includes('RATE_LIMITED')),
        outcomes.join(),
      ).to.equal(true);
      expect(outcomes[2]).to.contain('RATE_LIMITED');
    });
  });
});
