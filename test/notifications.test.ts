import type { Server } from 'node:http';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import type { NotificationPage, NotificationView } from '../core/views/notification-views.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createStudents } from './support/catalog-fixture.js';
import { createSale, eventually, type SaleFixture } from './support/event-fixture.js';
import { holdSeats } from './support/hold-seats.js';
import { listenOnFreePort } from './support/listen.js';
import { LiveClient } from './support/live-client.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';
import { startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

describe('notifications: kept per user, pushed when online, listed and marked read', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  let wr: RunningWaitingRoom;
  let worker: AppProcess;
  let sale: SaleFixture;
  let shortHolds: SaleFixture;
  const clients: LiveClient[] = [];

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
    wr = await startWaitingRoom({ controller: false });
    sale = await createSale(db, { rows: 2, seatsPerRow: 10 });
    shortHolds = await createSale(db, { rows: 1, seatsPerRow: 10, holdTtlS: 1 });
    worker = await startAppProcess('worker', {
      OUTBOX_SWEEP_MS: '250',
      HOLD_EXPIRY_GRACE_MS: '0',
      OUTBOX_GRACE_MS: '1000',
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await worker?.stop();
    await wr?.stop();
    await new Promise((r) => api.server.close(r));
    await db?.destroy();
    redis?.disconnect();
  });

  const auth = (userId: number) => ({ authorization: `Bearer ${tokenFor(cfg, userId)}` });
  const call = async (userId: number | null, path: string, body?: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(userId === null ? {} : auth(userId)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(res.headers.get('content-type'), path).to.match(/application\/json/);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const page = async (userId: number, query = '') => {
    const res = await call(userId, `/api/me/notifications${query}`);
    expect(res.status).to.equal(200);
    return res.body as unknown as NotificationPage;
  };
  const pay = (userId: number, reservationId: number) =>
    fetch(`${api.url}/api/reservations/${reservationId}/pay`, {
      method: 'POST',
      headers: {
        ...auth(userId),
        'content-type': 'application/json',
        'idempotency-key': `notify-pay-${reservationId}`,
      },
      body: '{}',
    });

  it('lists what happened while the person had no socket, newest first, with the unread count', async () => {
    const [user] = (await createStudents(db, 1)) as [number];
    const { requestId, reservationId } = await holdSeats(api.url, cfg, db, sale, user, ['A1', 'A2']);
    const first = await page(user);
    expect(first.unread).to.equal(1);
    expect(first.next).to.equal(null);
    expect(first.notifications).to.have.length(1);
    const held = first.notifications[0] as NotificationView;
    expect(held).to.deep.include({ kind: 'request', code: 'SEATS_HELD', readAt: null });
    expect(held.link).to.deep.equal({ requestId, roomId: sale.roomId, eventId: sale.eventId, reservationId });
    expect(held.params).to.include({ requestKind: 'reservation', status: 'committed', seats: 'A1, A2' });
    expect(held.message).to.match(/Held A1, A2/);

    const cancelled = await fetch(`${api.url}/api/reservations/${reservationId}`, {
      method: 'DELETE',
      headers: auth(user),
    });
    expect(cancelled.status).to.equal(200);
    const second = await page(user);
    expect(second.unread).to.equal(2);
    expect(second.notifications.map((n) => n.code)).to.deep.equal(['RESERVATION_CANCELLED', 'SEATS_HELD']);
    expect(second.notifications[0]).to.deep.include({
      kind: 'reservation',
      link: { reservationId, eventId: sale.eventId, requestId },
    });
    expect((await call(user, '/api/me/notifications/unread')).body).to.deep.equal({ unread: 2 });
  });

  it("keeps an expired hold's notice for later", async () => {
    const [user] = (await createStudents(db, 1)) as [number];
    const { reservationId } = await holdSeats(api.url, cfg, db, shortHolds, user, ['A1']);
    const expired = await eventually(
      async () => (await page(user)).notifications.find((n) => n.code === 'RESERVATION_EXPIRED'),
      10_000,
      'the expiry notice',
    );
    expect(expired.link).to.include({ reservationId, eventId: shortHolds.eventId });
    expect(expired.params).to.include({ seats: 'A1', status: 'expired' });
  });

  it('pushes notification:new to the person while connected: the hold, the payment and the confirmation', async () => {
    const [user] = (await createStudents(db, 1)) as [number];
    const live = new LiveClient(wr.url, tokenFor(cfg, user));
    clients.push(live);
    const pushed: NotificationView[] = [];
    live.socket.on('notification:new', (n) => pushed.push(n));
    await live.connected();

    const { reservationId } = await holdSeats(api.url, cfg, db, sale, user, ['B1']);
    await live.until(() => pushed.length >= 1, 5_000, 'the hold notification');
    expect((await pay(user, reservationId)).status).to.equal(200);
    await live.until(() => pushed.length >= 3, 10_000, 'paid and confirmed');
    expect(pushed.map((n) => n.code)).to.deep.equal([
      'SEATS_HELD',
      'RESERVATION_PAID',
      'RESERVATION_CONFIRMED',
    ]);
    // What was pushed is what is kept.
    const kept = (await page(user)).notifications;
    expect([...kept].reverse()).to.deep.equal(pushed);
  });

  it('shows nobody else’s notifications and lets nobody else mark them read', async () => {
    const [a, b] = (await createStudents(db, 2)) as [number, number];
    await holdSeats(api.url, cfg, db, sale, a, ['B7']);
    const mine = await page(a);
    const ids = mine.notifications.map((n) => n.id);
    expect(ids).to.have.length(1);
    expect((await page(b)).notifications).to.deep.equal([]);
    expect((await page(b, `?before=${(ids[0] as number) + 1}`)).notifications).to.deep.equal([]);
    const foreign = await call(b, '/api/me/notifications/read', { ids });
    expect(foreign).to.deep.equal({ status: 200, body: { unread: 0 } });
    expect((await call(b, '/api/me/notifications/read', { all: true })).body).to.deep.equal({ unread: 0 });
    expect((await page(a)).unread, "a's still unread").to.equal(1);
  });

  it('marks chosen ones read, then all; pages newest first with ?before=', async () => {
    const [user] = (await createStudents(db, 1)) as [number];
    const { reservationId } = await holdSeats(api.url, cfg, db, sale, user, ['A9']);
    expect((await pay(user, reservationId)).status).to.equal(200);
    const all = await eventually(
      async () => {
        const p = await page(user);
        return p.notifications.length === 3 ? p : undefined;
      },
      10_000,
      'three notifications',
    );
    const [confirmed, paid, held] = all.notifications as [
      NotificationView,
      NotificationView,
      NotificationView,
    ];
    expect([confirmed.id, paid.id, held.id]).to.deep.equal(
      [...all.notifications.map((n) => n.id)].sort((x, y) => y - x),
    );

    const one = await page(user, '?limit=1');
    expect(one.notifications.map((n) => n.id)).to.deep.equal([confirmed.id]);
    expect(one.next).to.equal(`?before=${confirmed.id}&limit=1`);
    const two = await page(user, one.next as string);
    expect(two.notifications.map((n) => n.id)).to.deep.equal([paid.id]);

    const read = await call(user, '/api/me/notifications/read', { ids: [held.id, paid.id] });
    expect(read).to.deep.equal({ status: 200, body: { unread: 1 } });
    const after = await page(user);
    expect(after.notifications.map((n) => n.readAt === null)).to.deep.equal([true, false, false]);
    expect(Date.parse(after.notifications[2]?.readAt as string)).to.be.closeTo(Date.now(), 10_000);
    expect((await call(user, '/api/me/notifications/read', { all: true })).body).to.deep.equal({ unread: 0 });
    expect((await call(user, '/api/me/notifications/unread')).body).to.deep.equal({ unread: 0 });
  });

  describe('refuses what is not its input', () => {
    let user: number;
    before(async () => {
      [user] = (await createStudents(db, 1)) as [number];
    });

    for (const query of [
      '?limit=0',
      '?limit=101',
      '?limit=1e1',
      '?limit=+5',
      '?before=0x1',
      '?before=%2B1',
      '?before=01',
      '?before=1e0',
      '?before=-1',
      '?befor=10',
    ]) {
      it(`answers 400 to GET /api/me/notifications${query}`, async () => {
        const res = await call(user, `/api/me/notifications${query}`);
        expect(res.status).to.equal(400);
        expect((res.body.error as { code: string }).code).to.equal('VALIDATION_FAILED');
      });
    }

    for (const body of [
      {},
      { ids: [] },
      { ids: ['1'] },
      { ids: [1.5] },
      { ids: [0] },
      { ids: 1 },
      { all: false },
      { all: 'true' },
      { ids: [1], all: true },
      '[1]',
    ]) {
      it(`answers 400 to POST /api/me/notifications/read with ${JSON.stringify(body)}`, async () => {
        const res = await call(user, '/api/me/notifications/read', body);
        expect(res.status).to.equal(400);
        expect((res.body.error as { code: string }).code).to.equal('VALIDATION_FAILED');
      });
    }

    it('answers 400 MALFORMED_JSON to a body that is not JSON', async () => {
      const res = await call(user, '/api/me/notifications/read', '{"ids": [1');
      expect([res.status, (res.body.error as { code: string }).code]).to.deep.equal([400, 'MALFORMED_JSON']);
    });

    it('answers 401 without a signed-in user', async () => {
      for (const [path, body] of [
        ['/api/me/notifications', undefined],
        ['/api/me/notifications/unread', undefined],
        ['/api/me/notifications/read', { all: true }],
      ] as const) {
        const res = await call(null, path, body);
        expect(res.status, path).to.equal(401);
      }
    });
  });
});
