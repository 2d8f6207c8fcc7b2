import { expect } from 'chai';
import type { Redis } from '../redis.js';
import type { Knex } from 'knex';
import request from 'supertest';
import { buildApiApp } from '../../api/src/app.js';
import { countQueries } from '../../test/support/api-in-process.js';
import { LiveClient } from '../../test/support/live-client.js';
import { testLogger } from '../../test/support/silent-logger.js';
import { testConfig } from '../../test/support/test-config.js';
import { tokenFor } from '../../test/support/tokens.js';
import { createTestUser } from '../../test/support/users.js';
import {
  createTestRoom,
  startWaitingRoom,
  type RunningWaitingRoom,
} from '../../test/support/waiting-room-harness.js';
import { ConfigError, loadConfig } from '../config.js';
import { createDb } from '../db.js';
import { UnauthorizedError } from '../errors.js';
import { redisKeys } from '../redis-keys.js';
import { createRedis, waitForRedis } from '../redis.js';
import { STANDING_REFRESH_MS, UserStanding } from './user-standing.js';
import { loadUserStanding, type StandingSnapshot } from './user-standing-store.js';

async function refusal(p: Promise<void>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).to.be.instanceOf(UnauthorizedError);
    return (err as UnauthorizedError).code;
  }
}

describe('UserStanding: one snapshot per process, not a query per request', () => {
  let clock = 1_000_000;
  let table: StandingSnapshot;
  let loads = 0;
  const standing = () =>
    new UserStanding(
      () => {
        loads++;
        return Promise.resolve({ maxId: table.maxId, inactive: new Set(table.inactive) });
      },
      () => clock,
    );
  beforeEach(() => {
    clock = 1_000_000;
    loads = 0;
    table = { maxId: 100, inactive: new Set([7]) };
  });

  it('reads once for a thousand requests, and refuses missing and deactivated ids', async () => {
    const s = standing();
    await Promise.all(Array.from({ length: 1_000 }, (_, i) => s.assertActive((i % 90) + 10)));
    expect(loads).to.equal(1);
    expect(await refusal(s.assertActive(7))).to.equal('USER_DEACTIVATED');
    clock += 1_000;
    expect(await refusal(s.assertActive(101))).to.equal('USER_UNKNOWN');
    expect(loads).to.equal(2); // an id past the snapshot re-read it once before refusing
  });

  it(`enforces a deactivation within ${STANDING_REFRESH_MS} ms while busy, and at once after an idle spell`, async () => {
    const s = standing();
    await s.assertActive(5);
    table.inactive = new Set([7, 5]);
    clock += STANDING_REFRESH_MS - 1;
    expect(await refusal(s.assertActive(5))).to.equal(undefined); // still inside the bound
    clock += 1;
    // Served from the old snapshot while the fresh one is read; the next request sees it.
    expect(await refusal(s.assertActive(5))).to.equal(undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await refusal(s.assertActive(5))).to.equal('USER_DEACTIVATED');
    table.inactive = new Set();
    clock += 3 * STANDING_REFRESH_MS;
    expect(await refusal(s.assertActive(5))).to.equal(undefined); // idle too long: waited for a read
    expect(loads).to.equal(3);
  });

  it('lets a just-created account in, and forged ids past the snapshot cost one read, not one each', async () => {
    const s = standing();
    await s.assertActive(1);
    table.maxId = 101;
    clock += 1_000;
    expect(await refusal(s.assertActive(101))).to.equal(undefined);
    clock += 1_000;
    const codes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => refusal(s.assertActive(10_000 + i))),
    );
    expect(new Set(codes)).to.deep.equal(new Set(['USER_UNKNOWN']));
    expect(loads).to.equal(3);
  });

  it('keeps enforcing the last snapshot while MySQL is away', async () => {
    let up = true;
    const s = new UserStanding(
      () => (up ? Promise.resolve(table) : Promise.reject(new Error('connect ECONNREFUSED'))),
      () => clock,
    );
    await s.assertActive(1);
    up = false;
    clock += 10 * STANDING_REFRESH_MS;
    expect(await refusal(s.assertActive(7))).to.equal('USER_DEACTIVATED');
    expect(await refusal(s.assertActive(1))).to.equal(undefined);
  });
});

describe('loadUserStanding: the snapshot as MySQL gives it', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  before(() => {
    db = createDb(cfg);
  });
  after(() => db.destroy());

  it('lists the deactivated accounts through the users.active index, not a scan of every account', async () => {
    const kept = await createTestUser(db);
    const switchedOff = await createTestUser(db);
    await db('users').where({ id: switchedOff.id }).update({ active: false });
    const queries: { sql: string; bindings: readonly Knex.RawBinding[] }[] = [];
    const listener = (q: { sql: string; bindings?: readonly Knex.RawBinding[] }) =>
      queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
    db.on('query', listener);
    const snap = await loadUserStanding(db).finally(() => db.off('query', listener));
    expect(snap.inactive.has(switchedOff.id)).to.equal(true);
    expect(snap.inactive.has(kept.id)).to.equal(false);
    expect(snap.maxId).to.be.at.least(switchedOff.id);

    const inactiveRead = queries.find((q) => q.sql.includes('`active`'));
    if (!inactiveRead)
      throw new Error(`no read of users.active among ${queries.map((q) => q.sql).join('; ')}`);
    const [plan] = (await db.raw(`EXPLAIN ${inactiveRead.sql}`, inactiveRead.bindings)) as [
      { key: string | null; Extra: string | null }[],
      unknown,
    ];
    expect(plan.map((row) => row.key)).to.deep.equal(['users_active_index']);
    // The index alone answers it: InnoDB's secondary indexes carry the primary key.
    expect(plan[0]?.Extra ?? '').to.include('Using index');
  });
});

describe('AUTH_ACCOUNT_CHECK', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'production', ...env });
      return '';
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      return (err as ConfigError).message;
    }
  };
  it('is on by default, and production refuses turning it off', () => {
    expect(testConfig({ AUTH_ACCOUNT_CHECK: '' }).auth.accountCheck).to.equal(true);
    expect(problems({ AUTH_ACCOUNT_CHECK: 'false' })).to.contain('AUTH_ACCOUNT_CHECK');
    expect(problems({})).to.not.contain('AUTH_ACCOUNT_CHECK');
  });
});

describe('tokens of missing or deactivated accounts are refused at the edge (401), before anything is written', function () {
  this.timeout(30_000);
  const cfg = testConfig({ AUTH_ACCOUNT_CHECK: 'true' });
  let db: Knex;
  let redis: Redis;
  let wr: RunningWaitingRoom;
  let roomId: number;
  let active: number;
  let deactivated: number;
  let missing: number;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    active = (await createTestUser(db)).id;
    deactivated = (await createTestUser(db)).id;
    await db('users').where({ id: deactivated }).update({ active: false });
    missing = active + 1_000_000;
    // Started after the deactivation, so its first snapshot already has it (the bound is tested above).
    wr = await startWaitingRoom({ env: { AUTH_ACCOUNT_CHECK: 'true' }, controller: false });
    roomId = await createTestRoom(wr.db);
  });
  after(async () => {
    await wr.stop();
    await db.destroy();
    redis.disconnect();
  });

  const join = (userId: number, n: number) =>
    fetch(`${wr.url}/rooms/${roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenFor(cfg, userId)}` },
      body: JSON.stringify({ clientRequestId: `standing-${userId}-${n}` }),
    });

  it('the waiting room: no place for them, a place for an active account', async () => {
    for (const [userId, code] of [
      [missing, 'USER_UNKNOWN'],
      [deactivated, 'USER_DEACTIVATED'],
    ] as const) {
      const res = await join(userId, 1);
      expect(res.status).to.equal(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal(code);
      const status = await fetch(`${wr.url}/rooms/${roomId}/status`, {
        headers: { authorization: `Bearer ${tokenFor(cfg, userId)}` },
      });
      expect(status.status).to.equal(401);
    }
    expect(await wr.redis.hlen(redisKeys(cfg.redis.prefix).room(roomId, 'users'))).to.equal(0);
    const { result, queries } = await countQueries(wr.db, async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await join(active, i)).status);
      return statuses;
    });
    expect(result).to.deep.equal([201, ...Array<number>(19).fill(200)]);
    // The snapshot was read on the first refused request above: these joins read no account at all.
    expect(queries.filter((q) => /`active`|max\(`id`\)/i.test(q))).to.deep.equal([]);
    expect(await wr.redis.hlen(redisKeys(cfg.redis.prefix).room(roomId, 'users'))).to.equal(1);
  });

  it('the socket handshake: refused for them, connected for an active account', async () => {
    for (const [userId, code] of [
      [missing, 'USER_UNKNOWN'],
      [deactivated, 'USER_DEACTIVATED'],
    ] as const) {
      const c = new LiveClient(wr.url, tokenFor(cfg, userId));
      try {
        const err = await c.connected().then(
          () => undefined,
          (e: unknown) => e as { data?: { code?: string } },
        );
        expect(err?.data?.code).to.equal(code);
      } finally {
        c.socket.close();
      }
    }
    const ok = new LiveClient(wr.url, tokenFor(cfg, active));
    try {
      await ok.connected();
    } finally {
      ok.socket.close();
    }
  });

  it('the api: signed-in routes refuse them, an active account passes', async () => {
    const app = buildApiApp({ cfg, logger: testLogger, db, redis });
    for (const [userId, code] of [
      [missing, 'USER_UNKNOWN'],
      [deactivated, 'USER_DEACTIVATED'],
    ] as const) {
      const res = await request(app)
        .get('/api/me/requests')
        .set('authorization', `Bearer ${tokenFor(cfg, userId)}`);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal(code);
    }
    const ok = await request(app)
      .get('/api/me/requests')
      .set('authorization', `Bearer ${tokenFor(cfg, active)}`);
    expect(ok.status).to.equal(200);
  });
});
