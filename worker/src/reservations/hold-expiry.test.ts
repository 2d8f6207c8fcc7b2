import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../core/db.js';
import { holdExpiryJobId, RESERVATION_JOB_OPTIONS } from '../../../core/queues.js';
import { createRedis, waitForRedis, type Redis } from '../../../core/redis.js';
import { newCommitJobId } from '../../../core/requests/request-types.js';
import { createStudents } from '../../../test/support/catalog-fixture.js';
import { rowsOnlyReservationCommitter } from '../../../test/support/committers.js';
import { createSale, eventually } from '../../../test/support/event-fixture.js';
import { testLogger } from '../../../test/support/silent-logger.js';
import { testConfig } from '../../../test/support/test-config.js';
import { expireHold } from './hold-expiry.js';
import { HoldExpiryQueue } from './hold-expiry-queue.js';
import { ReservationNotifier } from './reservation-notifier.js';
import { ReservationWorkers } from './reservation-workers.js';

/** A hold that is not due yet is left alone, and its job (one that ran early) waits until it is. */
describe('hold expiry before the hold is due', function () {
  this.timeout(30_000);
  const cfg = testConfig();
  let db: Knex;
  let redis: Redis;
  let connection: Redis;
  let holds: HoldExpiryQueue;

  before(async () => {
    db = createDb(cfg);
    redis = createRedis(cfg);
    connection = createRedis(cfg, 'blocking');
    await Promise.all([waitForRedis(redis), waitForRedis(connection)]);
    holds = new HoldExpiryQueue(redis, cfg.redis.prefix);
  });
  after(async () => {
    await holds.close();
    await db.destroy();
    redis.disconnect();
    connection.disconnect();
  });

  /** Seat A1 of a new sale held for a new user, as the committer leaves it (no expiry job scheduled). */
  async function heldReservation(): Promise<{ id: number; eventId: number; holdExpiresAt: Date }> {
    const sale = await createSale(db, { rows: 1, seatsPerRow: 2, holdTtlS: 600 });
    const [userId] = await createStudents(db, 1);
    const [requestId] = await db('requests').insert({
      user_id: userId,
      room_id: sale.roomId,
      idempotency_key: `not-due-${randomUUID()}`,
      kind: 'reservation',
      payload: JSON.stringify({ eventId: sale.eventId, seatLabels: ['A1'] }),
      queue_number: 1,
      commit_job_id: newCommitJobId(),
    });
    const commit = rowsOnlyReservationCommitter();
    const [decided] = await db.transaction((trx) => commit(trx, [Number(requestId)], new Date()));
    expect(decided?.outcome.code).to.equal('SEATS_HELD');
    const r = await db('reservations')
      .where({ request_id: requestId })
      .first<{ id: number; hold_expires_at: Date }>('id', 'hold_expires_at');
    return { id: r.id, eventId: sale.eventId, holdExpiresAt: r.hold_expires_at };
  }

  const stateOf = async (r: { id: number; eventId: number }) => ({
    reservation: await db('reservations')
      .where({ id: r.id })
      .first()
      .then((x: { status: string }) => x.status),
    seat: await db('seats')
      .where({ event_id: r.eventId, label: 'A1' })
      .first()
      .then((x: { status: string }) => x.status),
  });

  it('answers not-due with the hold’s expiry, and changes nothing', async () => {
    const r = await heldReservation();
    const result = await expireHold(db, r.id, new Date(r.holdExpiresAt.getTime() - 1));
    expect(result).to.deep.equal({ kind: 'not-due', dueAt: r.holdExpiresAt });
    expect(await stateOf(r)).to.deep.equal({ reservation: 'held', seat: 'held' });
  });

  /** The statements `fn` sends through `db`, lower-cased. */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql.toLowerCase());
    db.on('query', listen);
    try {
      await fn();
    } finally {
      db.off('query', listen);
    }
    return seen;
  }

  it('takes no lock for a hold that is not due, or no longer held; a due one expires as before', async () => {
    const notDue = await heldReservation();
    const early = await statementsOf(() =>
      expireHold(db, notDue.id, new Date(notDue.holdExpiresAt.getTime() - 1)),
    );
    expect(
      early.filter((q) => q.includes('for update')),
      'not due: a plain read',
    ).to.deep.equal([]);
    expect(
      early.filter((q) => q.startsWith('begin')),
      'and no transaction',
    ).to.deep.equal([]);

    // Paid, cancelled or expired: the row leaves `held` for good, so a plain read settles it.
    const gone = await heldReservation();
    await db('reservations').where({ id: gone.id }).update({ status: 'cancelled' });
    let result: unknown;
    const late = await statementsOf(async () => {
      result = await expireHold(db, gone.id, new Date(gone.holdExpiresAt.getTime() + 1));
    });
    expect(result).to.deep.equal({ kind: 'not-held' });
    expect(late.filter((q) => q.includes('for update'))).to.deep.equal([]);

    // Still held and due: the lock is taken and the hold expires, seats back to free.
    const due = await heldReservation();
    const expiring = await statementsOf(async () => {
      result = await expireHold(db, due.id, new Date(due.holdExpiresAt.getTime() + 1));
    });
    expect((result as { kind: string }).kind).to.equal('expired');
    expect(expiring.some((q) => q.includes('for update'))).to.equal(true);
    expect(await stateOf(due)).to.deep.equal({ reservation: 'expired', seat: 'free' });
  });

  it('puts a job that ran early back in the delayed set until the hold is due', async () => {
    const r = await heldReservation();
    const workers = new ReservationWorkers(
      {
        db,
        connection,
        prefix: cfg.redis.prefix,
        notifier: new ReservationNotifier(redis, cfg.redis.prefix, testLogger),
        logger: testLogger,
      },
      { concurrency: 1 },
    );
    workers.start();
    try {
      // Due now, as a job whose clock ran ahead of the database's would be.
      const job = await holds.bull.add(
        'expire',
        { reservationId: r.id },
        { ...RESERVATION_JOB_OPTIONS, jobId: holdExpiryJobId(r.id) },
      );
      await eventually(
        async () => ((await job.getState()) === 'delayed' ? true : undefined),
        20_000,
        'the job back in the delayed set',
      );
      const again = await holds.bull.getJob(holdExpiryJobId(r.id));
      // Pushed back by about the hold's ten minutes (BullMQ keeps `delay` from the move, not from the
      // add); not a failure, and no attempt used up.
      expect(again?.delay).to.be.above(500_000);
      expect(again?.attemptsMade).to.equal(0);
      expect(again?.failedReason ?? '').to.equal('');
      // This hold only: the queue is the run's, and other tests' holds may fall due and expire meanwhile.
      expect(await stateOf(r)).to.deep.equal({ reservation: 'held', seat: 'held' });
      await again?.remove();
    } finally {
      await workers.close();
    }
  });
});
