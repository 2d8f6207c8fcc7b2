import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Redis } from '../core/redis.js';
import type { Knex } from 'knex';
import { buildApiApp } from '../api/src/app.js';
import { createDb } from '../core/db.js';
import type { ReservationUpdate } from '../core/live-events.js';
import { SimulatedPaymentProvider } from '../core/payments/simulated-payment-provider.js';
import { CommitQueues } from '../core/queues.js';
import { createRedis, waitForRedis } from '../core/redis.js';
import { expireHold } from '../worker/src/reservations/hold-expiry.js';
import { startAppProcess, type AppProcess } from '../scripts/lib/app-process.js';
import { createStudents } from './support/catalog-fixture.js';
import {
  createSale,
  eventually,
  reservationHeaders,
  waitForOutcomes,
  type SaleFixture,
} from './support/event-fixture.js';
import { listenOnFreePort } from './support/listen.js';
import { LiveClient } from './support/live-client.js';
import { testLogger } from './support/silent-logger.js';
import { testConfig } from './support/test-config.js';
import { tokenFor } from './support/tokens.js';
import { startWaitingRoom, type RunningWaitingRoom } from './support/waiting-room-harness.js';

describe('a reservation from hold to ticket, expiry, payment and cancellation', function () {
  this.timeout(60_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let api: { server: Server; url: string };
  /** The same api, with a provider that takes 2.5 s to answer: the hold can lapse during a charge. */
  let slowApi: { server: Server; url: string };
  let wr: RunningWaitingRoom;
  let workers: AppProcess[] = [];
  let provider: SimulatedPaymentProvider;
  let shortHolds: SaleFixture;
  let sale: SaleFixture;
  let checks: SaleFixture;
  let elsewhere: SaleFixture;
  const clients: LiveClient[] = [];

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    await waitForRedis(redis);
    provider = new SimulatedPaymentProvider(redis, cfg.redis.prefix, { failRate: 0, delayMs: 0 });
    api = await listenOnFreePort(buildApiApp({ cfg, logger: testLogger, db, redis }));
    slowApi = await listenOnFreePort(
      buildApiApp({
        cfg,
        logger: testLogger,
        db,
        redis,
        payments: new SimulatedPaymentProvider(redis, cfg.redis.prefix, { failRate: 0, delayMs: 2_500 }),
      }),
    );
    wr = await startWaitingRoom({ controller: false });
    shortHolds = await createSale(db, { rows: 4, seatsPerRow: 10, holdTtlS: 2 });
    sale = await createSale(db, { rows: 4, seatsPerRow: 10, priceOf: (r) => 7_000 + r * 1_000 });
    checks = await createSale(db, { rows: 1, seatsPerRow: 10, perUserLimit: 4 });
    elsewhere = await createSale(db, { rows: 1, seatsPerRow: 10 });
    // Both workers sweep often and without grace, so the expiry job and two sweeps race for each hold.
    // Pending payments are reconciled after 3 s: longer than the slow provider below takes to answer.
    const env = {
      OUTBOX_SWEEP_MS: '250',
      HOLD_EXPIRY_GRACE_MS: '0',
      PAYMENT_RECONCILE_GRACE_MS: '3000',
      OUTBOX_GRACE_MS: '1000',
    };
    workers = await Promise.all([startAppProcess('worker', env), startAppProcess('worker', env)]);
  });
  after(async () => {
    for (const c of clients) c.close();
    await Promise.all(workers.map((w) => w.stop()));
    await wr?.stop();
    await Promise.all([api, slowApi].map((a) => new Promise((r) => a.server.close(r))));
    await db?.destroy();
    redis?.disconnect();
  });

  const post = (url: string, path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const auth = (userId: number, key?: string) => ({
    authorization: `Bearer ${tokenFor(cfg, userId)}`,
    ...(key ? { 'idempotency-key': key } : {}),
  });
  const get = async (userId: number, path: string) => {
    const res = await fetch(`${api.url}${path}`, { headers: auth(userId) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { status?: string } };
  };

  /** Holds `seatLabels` for a user through the whole path; returns the reservation id. */
  async function hold(f: SaleFixture, userId: number, seatLabels: string[]): Promise<number> {
    const res = await post(
      api.url,
      '/api/reservations',
      reservationHeaders(cfg, userId, { roomId: f.roomId }),
      { eventId: f.eventId, seatLabels },
    );
    expect(res.status).to.equal(202);
    const { requestId } = (await res.json()) as { requestId: number };
    await waitForOutcomes(db, [requestId], 20_000);
    const row = await db('requests').where({ id: requestId }).first<{ outcome_code: string }>('outcome_code');
    expect(row?.outcome_code).to.equal('SEATS_HELD');
    const r = await db('reservations')
      .where({ request_id: requestId })
      .first<{ id: number } | undefined>('id');
    if (!r) throw new Error(`no reservation for request ${requestId}`);
    return r.id;
  }

  const reservation = (id: number) =>
    db('reservations').where({ id }).first<{ status: string; amount_cents: number; hold_expires_at: Date }>();
  const paymentsOf = (reservationId: number) =>
    db('payments').where({ reservation_id: reservationId }).orderBy('id').select<
      {
        id: number;
        status: string;
        idempotency_key: string;
        provider_ref: string | null;
        failure_reason: string | null;
      }[]
    >();
  const seatsOf = (reservationId: number) =>
    db('reservation_seats as rs')
      .join('seats as s', 's.id', 'rs.seat_id')
      .where('rs.reservation_id', reservationId)
      .select<
        {
          status: string;
          holder_user_id: number | null;
          live_seat_id: number | null;
          released_at: Date | null;
        }[]
      >('s.status', 's.holder_user_id', 'rs.live_seat_id', 'rs.released_at');
  const auditCount = async (reservationIds: number[], action: string) => {
    const [row] = await db('audit_log')
      .where({ entity: 'reservation', action })
      .whereIn('entity_id', reservationIds.map(String))
      .count<{ n: number }[]>('* as n');
    return Number(row?.n);
  };

  it('releases each lapsed hold exactly once with two workers, refuses to pay it, and keeps a declined hold until then', async () => {
    const users = await createStudents(db, 12);
    const watcher = new LiveClient(wr.url, tokenFor(cfg, users[0]!));
    clients.push(watcher);
    const expiries: ReservationUpdate[] = [];
    watcher.socket.on('reservation:update', (u) => expiries.push(u));
    await watcher.connected();

    // Two neighbouring seats each: A1 A2, A3 A4, … B1 B2, …
    const label = (k: number) => `${'ABCD'[Math.floor(k / 10)]}${(k % 10) + 1}`;
    const ids = await Promise.all(users.map((u, i) => hold(shortHolds, u, [label(2 * i), label(2 * i + 1)])));
    // A declined card: 402, nothing charged, the seats stay held (until the hold runs out below).
    const declinedKey = 'pay-declined-1';
    const declined = await post(api.url, `/api/reservations/${ids[1]}/pay`, auth(users[1]!, declinedKey), {
      paymentMethod: 'card_declined',
    });
    expect(declined.status).to.equal(402);
    expect(((await declined.json()) as { error: { code: string } }).error.code).to.equal('PAYMENT_DECLINED');
    expect((await reservation(ids[1]!))?.status).to.equal('held');
    expect((await seatsOf(ids[1]!)).map((s) => s.status)).to.deep.equal(['held', 'held']);
    const [failed] = await paymentsOf(ids[1]!);
    expect(failed?.status).to.equal('failed');
    expect(failed?.failure_reason).to.equal('card_declined');
    expect((await provider.lookup(failed!.idempotency_key))?.status, 'no money taken').to.equal('declined');

    await eventually(
      async () =>
        (await db('reservations').whereIn('id', ids).andWhere('status', 'held').first()) ? undefined : true,
      10_000,
      'every short hold to expire',
    );
    for (const id of ids) {
      expect((await reservation(id))?.status).to.equal('expired');
      for (const s of await seatsOf(id)) {
        expect(s).to.include({ status: 'free', holder_user_id: null, live_seat_id: null });
        expect(s.released_at).to.be.instanceOf(Date);
      }
    }
    await sleep(600); // two more sweeps by each worker: still one release each
    expect(await auditCount(ids, 'expire'), 'one release per hold').to.equal(ids.length);
    const stats = await Promise.all(
      workers.map(
        async (w) =>
          (
            (await (await fetch(`${w.url}/healthz`)).json()) as {
              reservations: { jobs: { expired: number }; sweep: { expired: number } };
            }
          ).reservations,
      ),
    );
    const releases = stats.reduce((n, s) => n + s.jobs.expired + s.sweep.expired, 0);
    expect(releases, 'releases counted by both workers (jobs and sweeps)').to.equal(ids.length);
    console.log(
      `      ${ids.length} holds released by: ${stats.map((s, i) => `worker ${i + 1}: ${s.jobs.expired} by job, ${s.sweep.expired} by sweep`).join('; ')}`,
    );

    // Paying after expiry: 409 HOLD_EXPIRED with a clear message, and no payment recorded for it.
    const late = await post(api.url, `/api/reservations/${ids[2]}/pay`, auth(users[2]!, 'pay-too-late'), {});
    expect(late.status).to.equal(409);
    const lateBody = (await late.json()) as { error: { code: string; message: string } };
    expect(lateBody.error.code).to.equal('HOLD_EXPIRED');
    expect(lateBody.error.message).to.match(/expired/);
    expect(await paymentsOf(ids[2]!)).to.deep.equal([]);
    expect(
      (await paymentsOf(ids[1]!)).map((p) => p.status),
      'no succeeded payment',
    ).to.deep.equal(['failed']);

    await watcher.until(
      () => expiries.some((u) => u.id === ids[0] && u.status === 'expired'),
      5_000,
      'expiry push',
    );
  });

  it('releases a hold once when many expiries run at the same moment', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(shortHolds, user!, ['D9', 'D10']);
    const later = new Date(Date.now() + 60_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => expireHold(db, id, later)));
    expect(results.filter((r) => r.kind === 'expired')).to.have.length(1);
    expect(results.filter((r) => r.kind === 'not-held')).to.have.length(7);
    expect(await auditCount([id], 'expire')).to.equal(1);
  });

  it('pays a hold (seats sold), then confirms it in the after-payment job; a retried POST charges once', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(sale, user!, ['B1', 'B2']);
    const res = await post(api.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-once-key'), {});
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      reservation: { status: string; amountCents: number };
      payment: { id: number; status: string };
    };
    expect(body.reservation.status).to.equal('paid');
    expect(body.reservation.amountCents).to.equal(16_000);
    expect(body.payment.status).to.equal('succeeded');
    expect((await seatsOf(id)).map((s) => s.status)).to.deep.equal(['sold', 'sold']);

    const again = await post(api.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-once-key'), {});
    expect(again.status).to.equal(200);
    expect(((await again.json()) as { payment: { id: number } }).payment.id).to.equal(body.payment.id);
    const other = await post(api.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-other-key'), {});
    expect(other.status).to.equal(409);
    const [payment, ...more] = await paymentsOf(id);
    expect(more).to.deep.equal([]);
    const record = await provider.lookup(payment!.idempotency_key);
    expect(record).to.include({
      status: 'succeeded',
      amountCents: 16_000,
      providerRef: payment!.provider_ref,
    });

    await eventually(
      async () => ((await reservation(id))?.status === 'confirmed' ? true : undefined),
      10_000,
      'confirmed',
    );
    expect(await auditCount([id], 'confirm')).to.equal(1);
    const view = await get(user!, `/api/reservations/${id}`);
    expect(view.status).to.equal(200);
    expect(view.body.status).to.equal('confirmed');
    const mine = await get(user!, '/api/me/reservations');
    expect((mine.body.reservations as { id: number }[]).map((r) => r.id)).to.deep.equal([id]);
    const [stranger] = await createStudents(db, 1);
    expect((await get(stranger!, `/api/reservations/${id}`)).status).to.equal(404);
  });

  it('cancels a held reservation and frees its seats', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(sale, user!, ['C1']);
    const res = await fetch(`${api.url}/api/reservations/${id}`, { method: 'DELETE', headers: auth(user!) });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { reservation: { status: string }; refund: string };
    expect(body).to.deep.include({ refund: 'none' });
    expect(body.reservation.status).to.equal('cancelled');
    const [seat] = await seatsOf(id);
    expect(seat).to.include({ status: 'free', holder_user_id: null, live_seat_id: null });
    expect(seat?.released_at).to.be.instanceOf(Date);
    expect(await auditCount([id], 'cancel')).to.equal(1);
  });

  it('cancels a paid reservation: refunded through the provider, payment refunded, seats freed', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(sale, user!, ['C5', 'C6']);
    expect(
      (await post(api.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-then-cancel'), {})).status,
    ).to.equal(200);
    const res = await fetch(`${api.url}/api/reservations/${id}`, { method: 'DELETE', headers: auth(user!) });
    expect(res.status).to.equal(200);
    expect(((await res.json()) as { refund: string }).refund).to.equal('refunded');
    expect((await reservation(id))?.status).to.equal('cancelled');
    const [payment] = await paymentsOf(id);
    expect(payment?.status).to.equal('refunded');
    expect((await provider.lookup(payment!.idempotency_key))?.status).to.equal('refunded');
    expect((await seatsOf(id)).map((s) => [s.status, s.live_seat_id])).to.deep.equal([
      ['free', null],
      ['free', null],
    ]);
  });

  it('settles a charge whose answer was lost (reconciliation asks the provider), then confirms it', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(sale, user!, ['D1']);
    const res = await post(api.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-lost-answer'), {
      paymentMethod: 'card_timeout',
    });
    expect(res.status).to.equal(202);
    expect(((await res.json()) as { payment: { status: string } }).payment.status).to.equal('pending');
    expect((await reservation(id))?.status).to.equal('held');
    await eventually(
      async () => ((await reservation(id))?.status === 'confirmed' ? true : undefined),
      15_000,
      'reconciled and confirmed',
    );
    expect((await paymentsOf(id)).map((p) => p.status)).to.deep.equal(['succeeded']);
    expect((await seatsOf(id)).map((s) => s.status)).to.deep.equal(['sold']);
  });

  it('refunds a charge that completes after the hold lapsed: 409 HOLD_EXPIRED, no money kept, seats released', async () => {
    const [user] = await createStudents(db, 1);
    const id = await hold(shortHolds, user!, ['A1', 'A2']);
    const res = await post(slowApi.url, `/api/reservations/${id}/pay`, auth(user!, 'pay-slowly-key'), {});
    expect(res.status).to.equal(409);
    const body = (await res.json()) as { error: { code: string; details: { refunded: boolean } } };
    expect(body.error.code).to.equal('HOLD_EXPIRED');
    expect(body.error.details.refunded).to.equal(true);
    expect((await reservation(id))?.status).to.equal('expired');
    const [payment] = await paymentsOf(id);
    expect(payment?.status).to.equal('refunded');
    const record = await provider.lookup(payment!.idempotency_key);
    expect(record).to.include({ status: 'refunded', refundedCents: record!.amountCents });
    expect((await seatsOf(id)).map((s) => s.status)).to.deep.equal(['free', 'free']);
  });

  describe('refuses bad submissions before recording anything', () => {
    let user: number;
    let other: number;
    before(async () => {
      [user, other] = (await createStudents(db, 2)) as [number, number];
    });

    const cases: {
      name: string;
      status: number;
      code: string;
      body?: (f: SaleFixture) => unknown;
      headers?: (f: SaleFixture) => Record<string, string>;
    }[] = [
      { name: 'an empty body', status: 400, code: 'VALIDATION_FAILED', body: () => ({}) },
      {
        name: 'a string event id',
        status: 400,
        code: 'VALIDATION_FAILED',
        body: () => ({ eventId: 'x', seatLabels: ['A1'] }),
      },
      {
        name: 'seats and a zone at once',
        status: 400,
        code: 'VALIDATION_FAILED',
        body: (f) => ({ eventId: f.eventId, seatLabels: ['A1'], zone: 'main', count: 1 }),
      },
      {
        name: 'a count of 0',
        status: 400,
        code: 'VALIDATION_FAILED',
        body: (f) => ({ eventId: f.eventId, zone: 'main', count: 0 }),
      },
      {
        name: 'no seats',
        status: 400,
        code: 'VALIDATION_FAILED',
        body: (f) => ({ eventId: f.eventId, seatLabels: [] }),
      },
      {
        name: 'an unknown event',
        status: 422,
        code: 'UNKNOWN_EVENT',
        body: () => ({ eventId: 999_999_999, seatLabels: ['A1'] }),
      },
      {
        name: 'unknown seats',
        status: 422,
        code: 'UNKNOWN_SEAT',
        body: (f) => ({ eventId: f.eventId, seatLabels: ['A1', 'Z99', 'Q7'] }),
      },
      {
        name: 'an unknown zone',
        status: 422,
        code: 'UNKNOWN_ZONE',
        body: (f) => ({ eventId: f.eventId, zone: 'balcony', count: 1 }),
      },
      {
        name: 'more seats than the per-user limit',
        status: 422,
        code: 'PER_USER_LIMIT',
        body: (f) => ({ eventId: f.eventId, zone: 'main', count: 5 }),
      },
      {
        name: 'a seat twice',
        status: 422,
        code: 'DUPLICATE_SEAT',
        body: (f) => ({ eventId: f.eventId, seatLabels: ['A1', 'a1'] }),
      },
      {
        name: 'no admission token',
        status: 401,
        code: 'ADMISSION_REQUIRED',
        headers: () => reservationHeaders(cfg, user),
      },
      {
        name: 'an expired admission token',
        status: 401,
        code: 'ADMISSION_EXPIRED',
        headers: (f) => reservationHeaders(cfg, user, { roomId: f.roomId, admissionTtlS: -5 }),
      },
      {
        name: "another sale's admission token",
        status: 403,
        code: 'ADMISSION_OTHER_ROOM',
        headers: () => reservationHeaders(cfg, user, { roomId: elsewhere.roomId }),
      },
      {
        name: "someone else's admission token",
        status: 403,
        code: 'ADMISSION_OTHER_USER',
        headers: (f) => ({
          ...reservationHeaders(cfg, user),
          'x-admission-token': reservationHeaders(cfg, other, { roomId: f.roomId })['x-admission-token']!,
        }),
      },
      {
        name: 'no Idempotency-Key',
        status: 400,
        code: 'IDEMPOTENCY_KEY_REQUIRED',
        headers: (f) => reservationHeaders(cfg, user, { roomId: f.roomId, key: null }),
      },
      {
        name: 'no access token',
        status: 401,
        code: 'UNAUTHENTICATED',
        headers: () => ({ 'content-type': 'application/json', 'idempotency-key': 'no-access-token' }),
      },
    ];

    for (const c of cases) {
      it(`answers ${c.status} ${c.code} to ${c.name}`, async () => {
        const res = await fetch(`${api.url}/api/reservations`, {
          method: 'POST',
          headers: c.headers?.(checks) ?? reservationHeaders(cfg, user, { roomId: checks.roomId }),
          body: JSON.stringify(c.body?.(checks) ?? { eventId: checks.eventId, seatLabels: ['A1'] }),
        });
        expect(res.headers.get('content-type')).to.match(/application\/json/);
        const body = (await res.json()) as { error: { code: string; details?: { seatLabels?: string[] } } };
        expect([res.status, body.error.code]).to.deep.equal([c.status, c.code]);
        if (c.code === 'UNKNOWN_SEAT') expect(body.error.details?.seatLabels).to.deep.equal(['Z99', 'Q7']);
      });
    }

    it('left no request row and no job behind', async () => {
      const [rows] = await db('requests').whereIn('user_id', [user, other]).count<{ n: number }[]>('* as n');
      expect(Number(rows?.n)).to.equal(0);
      const queues = new CommitQueues(redis, cfg.redis.prefix);
      try {
        const counts = await queues
          .queue(checks.roomId)
          .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
        expect(Object.values(counts).reduce((a, b) => a + b, 0)).to.equal(0);
      } finally {
        await queues.close();
      }
    });
  });
});
